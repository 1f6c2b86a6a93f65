"""One error type per audience: the user's file, a data store, one evaluation."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence


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


class DataError(NasdslError):
    """A store or dataset is missing, corrupt, or lacks what the plan asks for."""


class DamagedDataError(DataError):
    """A data store's files no longer hold what was written (a checksum, shape or fact that
    does not match): a failure (exit 1) that stops a run, never a refused input."""


class EvaluationError(NasdslError):
    """One evaluation failed; recorded as a failed Result, never fatal to a search."""


class JournalError(NasdslError):
    """The journal cannot be written, or disagrees with the plan being run."""


class JournalInUse(NasdslError):
    """Another run holds the journal's write lock: refused (exit 2), nothing was touched."""
