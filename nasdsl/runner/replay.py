"""Resume by replay: a rerun answers a run's recorded prefix from the journal.

Every optimizer is deterministic given its seed and the results it is told, so a rerun asks
for the same candidates in the same order. While a run is inside its recorded prefix, each
candidate must be the architecture the journal holds at that index (else something that
decides the search changed, and the run is refused as diverged); its recorded result is
handed back without evaluating anything.
"""
from __future__ import annotations

import hashlib
from typing import Any, Hashable, Sequence

from nasdsl.errors import JournalError
from nasdsl.journal import Recorded
from nasdsl.result import Result

_FRESH = "; rerun with --fresh to discard the journal"


def architecture_key(space: Any, arch: Hashable) -> str:
    """The journal's identity of an architecture: the space's key, or a digest of its text
    for an architecture outside the space (which may have no identity)."""
    try:
        return str(space.key(arch))
    except Exception:  # an architecture outside the space may have no identity
        return "invalid:" + hashlib.sha1(space.canonical(arch).encode()).hexdigest()[:16]


class Replay:
    """The recorded prefix of one run, checked candidate by candidate."""

    def __init__(self, run_key: str, recorded: Sequence[Recorded], space: Any):
        self.run_key = run_key
        self.recorded = recorded
        self.space = space

    def __len__(self) -> int:
        return len(self.recorded)

    def result(self, index: int, arch: Hashable) -> Result:
        rec = self.recorded[index]
        h = architecture_key(self.space, arch)
        if h != rec.hash:
            raise JournalError(
                f"run {self.run_key} diverged from the journal at evaluation {rec.index}: "
                f"the journal holds architecture {rec.hash}, the search now asks for {h}. "
                "Something that decides the search changed (code, data or file); rerun "
                "with --fresh to discard the journal")
        return rec.result

    def check_finished(self, evaluations: int) -> None:
        """A search that ended inside its recorded prefix diverged too."""
        if evaluations < len(self.recorded):
            raise JournalError(
                f"run {self.run_key} diverged from the journal: the search ended after "
                f"{evaluations} evaluations but the journal holds {len(self.recorded)}{_FRESH}")
