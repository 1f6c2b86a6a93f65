"""Reading rows back checked: the one reader of evaluations and retrainings, for reports,
`status`, resume and the upgrade that adds checksums alike. A row whose types, checksum or
values' ranges (`nasdsl.journal.rows`) are wrong is a JournalError naming it."""
from __future__ import annotations

import functools
import json
import sqlite3
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from nasdsl.errors import JournalError
from nasdsl.journal.rows import (FINAL_HASHED, HASHED, KIND_WORDS, checksums, metric_kind,
                                 metric_numbers, numbers, out_of_range, wrong_type, wrong_types)
from nasdsl.journal.schema import FINAL_COLUMNS, has_column
from nasdsl.journal.values import decode_json, metric_columns, objects
from nasdsl.wording import count

Unverified = Callable[[], None] | None
"""Called when rows written before rows carried checksums are read (None: say nothing)."""


class Checked:
    """Evaluation rows that passed their checks (`evaluations`)."""

    def __init__(self, columns: dict[str, np.ndarray], metrics: dict[str, Sequence[Any]]):
        self.columns = columns
        """HASHED column name -> its values over the rows (an object array of what SQLite
        gave back), in the table's order."""
        self.metrics = metrics
        """Metric name -> its value in each row (None where a row lacks it; a numpy array
        for numbers every row has: `values.metric_columns`)."""

    @functools.cached_property
    def decoded(self) -> list[dict]:
        """Each row's metrics as a dict (parsed when asked for: a report reads columns)."""
        return decode_json(self.columns["metrics"])


class CheckedFinals(NamedTuple):
    """The finals table's rows that passed their checks (`finals`)."""

    rows: list[tuple]
    """Each row as (search, its FINAL_COLUMNS, checksum), in report order."""
    columns: dict[str, np.ndarray]
    """FINAL_COLUMNS name -> its values over the rows."""


def evaluations(db: sqlite3.Connection, path: Path, run: str | None = None,
                unverified: Unverified = None) -> Checked:
    """The evaluations table's rows (all of them, or one run's), each checked first."""
    has_checksum = has_column(db, "evaluations", "checksum")
    arrival = "arrival" if has_column(db, "evaluations", "arrival") else "NULL"
    where, params = (" WHERE run = ?", (run,)) if run is not None else ("", ())
    cur = db.execute(
        f"SELECT {', '.join(HASHED[:-1])}, {arrival}, "
        f"{'checksum' if has_checksum else 'NULL'} FROM evaluations{where}", params)
    found = list(zip(*cur.fetchall())) or [()] * (len(HASHED) + 1)
    columns = {name: objects(values) for name, values in zip(HASHED, found)}
    fitness_of = fitness_metrics(db)
    runs = dict(db.execute("SELECT run, config FROM runs"))
    codes, keys = pd.factorize(columns["run"])  # a lookup per run, not per row
    metric = np.array([fitness_of.get(runs.get(k)) for k in keys] + [None],
                      dtype=object)[codes]  # code -1 (a NULL run): the last, None

    def name(i: int) -> str:
        known = db.execute("SELECT config, repeat FROM runs WHERE run = ?",
                           (columns["run"][i],)).fetchone()
        which = f" (configuration {known[0]}, repeat {known[1]})" if known else ""
        return f"evaluation {columns['idx'][i]} of run {columns['run'][i]}{which}"

    metrics = _check(path, HASHED, columns, found[-1] if has_checksum else None,
                     {"fitness": metric}, name, unverified)
    return Checked(columns, metrics)


def finals(db: sqlite3.Connection, path: Path, unverified: Unverified = None) -> CheckedFinals:
    """The finals table's rows in report order, each checked as evaluations are."""
    has_checksum = has_column(db, "finals", "checksum")
    rows = rows_if_table(db,
                         f"SELECT c.search, {', '.join('f.' + c for c in FINAL_COLUMNS)}, "
                         f"{'f.checksum' if has_checksum else 'NULL'} "
                         "FROM finals f LEFT JOIN configs c ON c.config = f.config "
                         "ORDER BY c.position, f.rank, f.epochs")
    found = list(zip(*rows)) or [()] * (len(FINAL_COLUMNS) + 2)
    columns = {name: objects(values) for name, values in zip(FINAL_COLUMNS, found[1:])}
    fitness_of = fitness_metrics(db)
    metric = pd.Series(columns["config"], dtype=object).map(fitness_of).to_numpy(dtype=object)

    def name(i: int) -> str:
        return (f"the retraining of {columns['hash'][i]} for {columns['epochs'][i]} "
                f"epochs (configuration {columns['config'][i]})")

    _check(path, FINAL_HASHED, columns, found[-1] if has_checksum else None,
           {"fitness": metric, "search_fitness": metric}, name, unverified)
    return CheckedFinals(rows, columns)


def rows_if_table(db: sqlite3.Connection, query: str) -> list[tuple]:
    """The query's rows; none when a table it reads is missing (a journal written before
    that table existed)."""
    try:
        return db.execute(query).fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" not in str(e):
            raise
        return []


def fitness_metrics(db: sqlite3.Connection) -> dict[str, str]:
    """Configuration -> the name of the metric it maximizes (when it names one)."""
    out = {}
    for config, evaluator in db.execute("SELECT config, evaluator FROM configs"):
        try:
            fitness = (json.loads(evaluator or "{}").get("settings") or {}).get("fitness")
        except (ValueError, AttributeError):
            fitness = None
        if isinstance(fitness, str):
            out[config] = fitness
    return out


def _check(path: Path, names: Sequence[str], columns: dict[str, np.ndarray],
           stored: Sequence[Any] | None, fitness: dict[str, np.ndarray],
           name: Callable[[int], str],
           unverified: Unverified) -> dict[str, Sequence[Any]]:
    """Check rows read back (`columns`, over `names`) in the order that names what is
    wrong first: their values' types, their checksums (`stored`; None for a table
    written before rows carried them, read after calling `unverified`), their values'
    ranges (`_check_ranges`). `name(i)` names row i in the JournalError that refuses it.
    Returns the rows' metrics as columns (`values.metric_columns`)."""
    rows = len(columns[names[0]])
    wrong = wrong_types(columns, names)
    if wrong is not None:
        i = int(np.argmax(wrong))
        _damaged(path, name(i), wrong, wrong_type(columns, i, names))
    if stored is not None and rows:
        try:
            sums = np.asarray(stored, dtype=np.int64)
        except (TypeError, ValueError, OverflowError):  # NULL or text: matches nothing
            sums = np.array([v if isinstance(v, int) and -2**63 <= v < 2**63 else 0
                             for v in stored], dtype=np.int64)
        mismatch = sums != checksums(columns, names)
        if mismatch.any():
            _damaged(path, name(int(np.argmax(mismatch))), mismatch,
                     "its checksum does not match its values")
    elif unverified is not None and rows:
        unverified()
    metrics = metric_columns(columns["metrics"])
    if rows:
        _check_ranges(path, columns, metrics, fitness, name)
    return metrics


def _check_ranges(path: Path, columns: dict[str, np.ndarray], metrics: dict[str, list],
                  fitness: dict[str, np.ndarray], name: Callable[[int], str]) -> None:
    """Refuse the first row whose fitness, times or metrics lie outside what their kind
    allows (`metric_kind`): values a checksum cannot vouch for in a journal without them,
    and a guard against an evaluator's wrong units. `fitness`: column -> the name of the
    metric it holds in each row (None where unknown)."""
    checks: list[tuple[str, str, np.ndarray, np.ndarray]] = []  # what, kind, values, bad
    for column, metric in fitness.items():
        values = numbers(columns[column])
        for of in {m for m in pd.unique(metric) if isinstance(m, str) and metric_kind(m)}:
            mine = metric == of
            bad = np.zeros(len(values), dtype=bool)
            bad[mine] = out_of_range(values[mine], metric_kind(of))
            checks.append((f"{column} ({of})", metric_kind(of) or "", values, bad))
    for column in ("cost_seconds", "wall_seconds"):
        values = numbers(columns[column])
        checks.append((column, "amount", values, out_of_range(values, "amount")))
    for metric_name, values in metrics.items():
        kind = metric_kind(metric_name)
        if kind:
            array = metric_numbers(values)
            checks.append((f"metric {metric_name}", kind, array, out_of_range(array, kind)))
    for what, kind, values, bad in checks:
        if bad.any():
            i = int(np.argmax(bad))
            _damaged(path, name(i), bad, f"its {what} is {float(values[i])!r}, which is "
                                         f"not {KIND_WORDS[kind]}")


def _damaged(path: Path, row: str, bad: np.ndarray, why: str) -> None:
    others = int(bad.sum()) - 1
    more = f" (and {count(others, 'more row')})" if others else ""
    raise JournalError(f"{path}: {row} is damaged: {why}{more}; nasdsl neither "
                       "reports nor resumes a damaged journal: restore it from a copy, or "
                       "rerun with --fresh")
