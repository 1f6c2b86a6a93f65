"""What a report reads: the journal, and nothing else.

Works on a finished, running or killed experiment alike, because the journal is written
before each result is handed back and is opened read-only here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

JOURNAL_NAME = "journal.sqlite"


@dataclass(frozen=True)
class ReportSource:
    """The journal's tables, as `nasdsl.journal.Journal` reads them."""

    meta: dict[str, str]
    configs: pd.DataFrame
    evaluations: pd.DataFrame
    runs: pd.DataFrame | None = None
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What optimizers reported as their runs finished (`Journal.outcomes()`)."""

    @property
    def experiment(self) -> str:
        return self.meta.get("experiment", "")


def find_journal(path: Path) -> Path | None:
    """The journal named by `path`: the file itself, or `journal.sqlite` in a folder."""
    path = Path(path)
    if path.is_dir():
        path = path / JOURNAL_NAME
    return path if path.is_file() else None


def read_journal(path: Path) -> ReportSource:
    from nasdsl.journal import Journal

    with Journal.open(path, readonly=True) as journal:
        return ReportSource(meta=journal.meta(), configs=journal.configs(),
                            evaluations=journal.evaluations(), runs=journal.runs(),
                            outcomes=journal.outcomes())
