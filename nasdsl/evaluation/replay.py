"""Resume by replay: a rerun answers a run's recorded prefix from the journal.

Every optimizer is deterministic given its seed and the results it is told, in the order it
is told them, so a rerun asks for the same candidates in the same order. While a run is
inside its recorded prefix, each candidate must be the architecture the journal holds at that
index (else something that decides the search changed, and the run is refused as diverged);
its recorded result is handed back without evaluating anything. Results come back in the
order they arrived (the journal's `arrival`): for a search that submits candidates one at a
time to several workers, that is what decided each later candidate.
"""
from __future__ import annotations

import hashlib
from typing import Any, Hashable, Mapping, Sequence

from nasdsl.errors import JournalError
from nasdsl.journal.records import Recorded
from nasdsl.result import Result
from nasdsl.wording import count

_FRESH = "; rerun with --fresh to discard the journal"


def architecture_key(space: Any, arch: Hashable) -> str:
    """The journal's identity of an architecture: the space's key, or a digest of its text
    for an architecture outside the space (which may have no identity)."""
    try:
        return str(space.key(arch))
    except Exception:  # an architecture outside the space may have no identity
        return "invalid:" + hashlib.sha1(space.canonical(arch).encode()).hexdigest()[:16]


class Replay:
    """The recorded prefix of one run (its completions in arrival order), checked candidate
    by candidate."""

    def __init__(self, run_key: str, recorded: Sequence[Recorded], space: Any):
        self.run_key = run_key
        self.recorded = recorded
        self.space = space
        self._indices = {rec.index for rec in recorded}

    def __len__(self) -> int:
        return len(self.recorded)

    def __contains__(self, index: object) -> bool:
        return index in self._indices

    def result(self, index: int, arch: Hashable) -> Result:
        rec = self.recorded[index]
        if rec.index != index:
            raise self._diverged(f"completion {index} of the journal is evaluation "
                                 f"{rec.index}, but the search now waits for evaluation "
                                 f"{index} first")
        return self._checked(rec, arch)

    def completion(self, arrival: int, pending: Mapping[int, Hashable]) -> tuple[int, Result]:
        rec = self.recorded[arrival]
        if rec.index not in pending:
            raise self._diverged(f"completion {arrival} of the journal is evaluation "
                                 f"{rec.index}, which the search has not submitted (it "
                                 f"waits for {sorted(pending)})")
        return rec.index, self._checked(rec, pending[rec.index])

    def _checked(self, rec: Recorded, arch: Hashable) -> Result:
        h = architecture_key(self.space, arch)
        if h != rec.hash:
            raise JournalError(
                f"run {self.run_key} diverged from the journal at evaluation {rec.index}: "
                f"the journal holds architecture {rec.hash}, the search now asks for {h}. "
                "Something that decides the search changed (code, data or file); rerun "
                "with --fresh to discard the journal")
        return rec.result

    def _diverged(self, why: str) -> JournalError:
        return JournalError(f"run {self.run_key} diverged from the journal: {why}{_FRESH}")

    def check_finished(self, evaluations: int) -> None:
        """A search that ended inside its recorded prefix diverged too."""
        if evaluations < len(self.recorded):
            raise JournalError(
                f"run {self.run_key} diverged from the journal: the search ended after "
                f"{count(evaluations, 'evaluation')} but the journal holds "
                f"{len(self.recorded)}{_FRESH}")
