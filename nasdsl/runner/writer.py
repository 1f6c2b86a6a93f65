"""The journal's single writer in a run: group commits of evaluation rows."""
from __future__ import annotations

import time
from typing import Any, Mapping

from nasdsl.journal.writer import Writer


class JournalWriter:
    """Group commits: every `rows` rows or `seconds` seconds, or at once when `immediate`
    (expensive evaluations are committed before the search moves on)."""

    def __init__(self, journal: Writer, immediate: bool, rows: int = 5000, seconds: float = 1.0):
        self._journal = journal
        self._immediate = immediate
        self._rows = rows
        self._seconds = seconds
        self._buffer: list[tuple] = []  # in `Row`'s column order
        self._last = time.monotonic()

    def add(self, rows: list[tuple]) -> None:
        self._buffer.extend(rows)
        if (self._immediate or len(self._buffer) >= self._rows
                or time.monotonic() - self._last >= self._seconds):
            self.flush()

    def flush(self, finished: tuple[str, int] | None = None,
              outcome: Mapping[str, Any] | None = None) -> None:
        """Commit what is buffered; with `finished = (run, n)` mark that run finished,
        recording the optimizer's `outcome`."""
        rows, self._buffer = self._buffer, []
        self._last = time.monotonic()
        self._journal.append(rows, finished=finished, outcome=outcome)
