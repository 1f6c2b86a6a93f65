"""What a report reads: the journal, and nothing else.

Works on a finished, running or killed experiment alike, because the journal is written
before each result is handed back and is opened read-only here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

JOURNAL_NAME = "journal.sqlite"


@dataclass(frozen=True)
class ReportSource:
    """The journal's tables, as `nasdsl.journal.reader.Reader` reads them."""

    meta: dict[str, str]
    configs: pd.DataFrame
    evaluations: pd.DataFrame
    runs: pd.DataFrame | None = None
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """What optimizers reported as their runs finished (`Reader.outcomes()`)."""
    hidden_runs: int = 0
    """Runs the journal holds beyond its latest plan (see `latest_plan`)."""
    finals: pd.DataFrame = field(default_factory=pd.DataFrame)
    """`final { … }` retrainings (empty when none)."""

    @property
    def experiment(self) -> str:
        return self.meta.get("experiment", "")


def find_journal(path: Path) -> Path | None:
    """The journal named by `path`: the file itself, or `journal.sqlite` in a folder."""
    path = Path(path)
    if path.is_dir():
        path = path / JOURNAL_NAME
    return path if path.is_file() else None


def read_journal(path: Path, everything: bool = False) -> ReportSource:
    """The journal's tables as its latest plan sees them (`latest_plan`), or every run it
    holds with `everything`."""
    from nasdsl.journal.reader import Reader

    with Reader.open(path) as journal:
        source = ReportSource(meta=journal.meta(), configs=journal.configs(),
                              evaluations=journal.evaluations(), runs=journal.runs(),
                              outcomes=journal.outcomes(), finals=journal.finals())
    return source if everything else latest_plan(source)


def latest_plan(source: ReportSource) -> ReportSource:
    """Only the configurations and repeats of the plan the journal last ran: a search renamed
    or removed, or `repeat` lowered, leaves runs in the journal (a rerun of the old file
    reuses them) that do not belong to the file's comparison. A journal that recorded no
    plan is shown whole."""
    try:
        plan = json.loads(source.meta.get("plan") or "null")
        keys, repeat = list(plan["configs"]), int(plan["repeat"])
    except (ValueError, TypeError, KeyError):
        return source
    evaluations = source.evaluations
    keep = evaluations["config"].isin(keys) & (evaluations["run"] < repeat)
    hidden = evaluations.loc[~keep, ["config", "run"]].drop_duplicates()
    outcomes = source.outcomes
    if not outcomes.empty:
        outcomes = outcomes[outcomes["config"].isin(keys) & (outcomes["repeat"] < repeat)]
    finals = source.finals
    if not finals.empty:
        finals = finals[finals["config"].isin(keys)].reset_index(drop=True)
    runs = source.runs
    if runs is not None:
        runs = runs[runs["config"].isin(keys) & (runs["repeat"] < repeat)].reset_index(drop=True)
    return replace(source, configs=source.configs[source.configs["config"].isin(keys)], runs=runs,
                   evaluations=evaluations[keep].reset_index(drop=True),
                   outcomes=outcomes.reset_index(drop=True), finals=finals,
                   hidden_runs=len(hidden))
