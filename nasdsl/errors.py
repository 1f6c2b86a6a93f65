"""One error type per audience: the user's file, a data store, one evaluation."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Iterable, Sequence


class NasdslError(Exception):
    """Base of every error nasdsl raises on purpose."""


@dataclass
class DslError(NasdslError):
    """A `.nas` file was refused. Carries everything needed to point at the mistake.

    `line` and `column` are 1-based. `source_line` is the text of that line (no newline),
    shown with a caret under `column`. `accepted` lists valid names when a name was unknown,
    `suggestion` is the closest of them.
    """

    message: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    source_line: str = ""
    expected: Sequence[str] = field(default_factory=tuple)
    accepted: Sequence[str] = field(default_factory=tuple)
    suggestion: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        out = [f"{where}: error: {self.message}"]
        if self.source_line:
            out.append(f"    {self.source_line}")
            out.append("    " + " " * max(self.column - 1, 0) + "^")
        if self.expected:
            out.append("expected: " + ", ".join(self.expected))
        if self.suggestion:
            out.append(f"did you mean `{self.suggestion}`?")
        if self.accepted:
            out.append("accepted: " + ", ".join(self.accepted))
        return "\n".join(out)


MAX_ERRORS = 20
"""Most refusals of one file shown at once; past it the count of the others is given."""


class Refusals:
    """The refusals of one file as they are found, bounded: the `cap` first in line order are
    kept, every other is only counted (one small key per place, so a place refused by many
    configurations of a sweep counts once): a file with 100,000 refusals keeps 20 of them."""

    def __init__(self, cap: int = MAX_ERRORS, ignored: Iterable[int] = ()):
        self.cap = cap
        self.ignored = frozenset(ignored)
        """Lines whose refusals are not recorded (lines set aside after a syntax error)."""
        self._kept: list[tuple[tuple[int, int, int], DslError]] = []  # a heap, last first
        self._places: set[tuple] = set()
        self._uncounted = 0  # the `more` of nested DslErrors, whose places are not known

    def append(self, error: DslError) -> None:
        if isinstance(error, DslErrors):
            for e in error.errors:
                self.append(e)
            self._uncounted += error.more
            return
        if error.line in self.ignored:
            return
        place = (error.file, error.line, error.column) if error.line else \
            (error.file, error.message)
        if place in self._places:
            return
        self._places.add(place)
        entry = ((-error.line, -error.column, -len(self._places)), error)
        if len(self._kept) < self.cap:
            heapq.heappush(self._kept, entry)
        elif entry[0] > self._kept[0][0]:  # earlier in the file than the last one kept
            heapq.heapreplace(self._kept, entry)

    def extend(self, errors: Iterable[DslError]) -> "Refusals":
        for error in errors:
            self.append(error)
        return self

    def absorb(self, other: "Refusals") -> "Refusals":
        """Add the refusals another collector found: those it kept, and the count of the
        others."""
        shown = other.shown()
        self.extend(shown)
        self._uncounted += len(other) - len(shown)
        return self

    def __len__(self) -> int:
        return len(self._places) + self._uncounted

    def shown(self) -> list[DslError]:
        """Those kept, in line order."""
        return [e for _, e in sorted(self._kept, key=lambda entry: entry[0], reverse=True)]


@dataclass
class DslErrors(DslError):
    """Every refusal found in one file, in line order: made by `DslErrors.of`, which gives
    a single error as it is. Its own fields are the first error's, so code that handles
    one `DslError` handles this too; `errors` holds those shown, `more` counts the rest."""

    errors: Sequence[DslError] = field(default_factory=tuple)
    more: int = 0

    @classmethod
    def of(cls, errors: Iterable[DslError], cap: int = MAX_ERRORS) -> DslError:
        """One error for `errors` (at least one), in line order, one per place: the
        configurations of a sweep refused at the same value give it once (the first)."""
        found = errors if isinstance(errors, Refusals) else Refusals(cap).extend(errors)
        ordered = found.shown()
        if len(found) == 1:
            return ordered[0]
        first = ordered[0]
        return cls(first.message, first.file, first.line, first.column, first.source_line,
                   first.expected, first.accepted, first.suggestion,
                   errors=tuple(ordered), more=len(found) - len(ordered))

    def __str__(self) -> str:
        total = len(self.errors) + self.more
        shown = f" ({self.more} more not shown)" if self.more else ""
        return "\n\n".join([*(DslError.__str__(e) for e in self.errors),
                             f"{self.file}: {total} errors{shown}"])


class DataError(NasdslError):
    """A store or dataset is missing, corrupt, or lacks what the plan asks for."""


class DamagedDataError(DataError):
    """A data store's files no longer hold what was written (a checksum, shape or fact that
    does not match): a failure (exit 1) that stops a run, never a refused input."""


class EvaluationError(NasdslError):
    """One evaluation failed; recorded as a failed Result, never fatal to a search."""


class JournalError(NasdslError):
    """The journal cannot be written, or disagrees with the plan being run."""


class ForeignFile(NasdslError):
    """A file nasdsl did not write is where it would write (a journal, a report): refused
    (exit 2), the file left exactly as it was."""


class PlanChanged(JournalError):
    """The file changed in a way that changes the runs its journal recorded: refused input
    (exit 2), like any file that cannot run as it stands; nothing was touched."""


class JournalInUse(NasdslError):
    """Another run holds the journal's write lock: refused (exit 2), nothing was touched."""


class Incomparable(NasdslError):
    """Journals that cannot share one report (their fitness metrics differ): refused
    (exit 2), nothing written."""
