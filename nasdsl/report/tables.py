"""The report's tables: the evaluations (`nasdsl.report.evaluations_file`), `summary.csv`, and
the summary on screen.

Columns are stable and documented in docs/reports.md; the CSV files are for machines and
keep full precision; the table on screen writes numbers as `nasdsl.report.numbers` does and
has a legend of its columns (`nasdsl.report.columns`).
"""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TextIO

import pandas as pd

from nasdsl.report.columns import legend
from nasdsl.report.evaluations_file import write_evaluations
from nasdsl.report.numbers import is_number, number_text

SUMMARY_CSV = "summary.csv"


def write_tables(folder: Path, evaluations: pd.DataFrame | None,
                 summary: pd.DataFrame, csv: bool = False) -> list[Path]:
    """`summary.csv`, and the evaluations unless `evaluations` is None (Parquet for a large
    table, CSV for a small one or with `csv`: `write_evaluations`)."""
    summary.to_csv(folder / SUMMARY_CSV, index=False)
    if evaluations is None:
        return [folder / SUMMARY_CSV]
    return [write_evaluations(folder, evaluations, csv), folder / SUMMARY_CSV]


def integral(table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Float columns that only hold whole numbers (and gaps) as nullable integers, so a
    swept `population` or a parameter count reads `100`, not `100.0`."""
    out = table.copy()
    for name in columns:
        column = out[name]
        if column.dtype.kind != "f":
            continue
        values = column.dropna()
        if len(values) and (values == values.round()).all() and values.abs().max() < 2**53:
            out[name] = column.astype("Int64")
    return out


def _text(value: object, column: str = "") -> str:
    if value is None or value is pd.NA:
        return "-"
    if is_number(value):
        text = number_text(value, column)
        return "-" if text == "–" else text
    return str(value)


def print_summary(summary: pd.DataFrame, title: str = "", out: TextIO | None = None) -> None:
    """A rich table on a terminal, plain aligned text otherwise (logs, pipes, CI).

    The terminal table leaves out what the configuration name already says (search, swept
    values), regret's reference values and an all-zero `unfinished`, so it fits beside the
    statistics; notes below it say what regret is measured against and which runs are
    unfinished. The CSV has every column.
    """
    out = out or sys.stdout
    if summary.empty:
        print(f"{title}: no search configurations recorded yet" if title else
              "no search configurations recorded yet", file=out)
        return
    notes = summary_notes(summary)
    summary = _shown(summary)
    if out.isatty():
        shown = _print_rich(summary, title, out)
    else:
        shown = _print_plain(summary, title, out)
    for note in notes:
        print(note, file=out)
    for column, meaning in legend(shown):
        print(f"  {column}: {meaning}", file=out)


def _shown(summary: pd.DataFrame) -> pd.DataFrame:
    hidden = [c for c in summary.columns if c.startswith("space_best_")]
    if "unfinished" in summary and not summary["unfinished"].fillna(0).astype(bool).any():
        hidden.append("unfinished")
    return summary.drop(columns=hidden)


def summary_notes(summary: pd.DataFrame) -> list[str]:
    """What the table's numbers are measured against, in words."""
    notes = []
    if "unfinished" in summary:
        open_runs = int(summary["unfinished"].fillna(0).sum())
        if open_runs:
            notes.append(f"{open_runs} of {int(summary['runs'].sum())} runs are unfinished "
                         "(interrupted or still running): their statistics cover what they "
                         "evaluated so far")
    for column in summary.columns:
        if not column.startswith("space_best_") or "regret" not in summary:
            continue
        values = summary[column].dropna().unique()
        if len(values) == 0:
            continue
        metric = column[len("space_best_"):]
        if len(values) == 1:
            reference = f"{_text(float(values[0]))}"
        else:
            reference = (f"{_text(float(values.min()))} to {_text(float(values.max()))} by "
                         f"configuration, column {column} of {SUMMARY_CSV}")
        notes.append(f"regret: the best {metric} of the declared search space ({reference}) "
                     f"minus best_{metric}")
    return notes


def _print_plain(summary: pd.DataFrame, title: str, out: TextIO) -> list[str]:
    """The columns it printed."""
    shown = summary.drop(columns=["search"], errors="ignore")
    if title:
        print(title, file=out)
    text = pd.DataFrame({c: [_text(v, str(c)) for v in shown[c]] for c in shown.columns})
    print(text.to_string(index=False), file=out)
    return [str(c) for c in shown.columns]


def _print_rich(summary: pd.DataFrame, title: str, out: TextIO) -> list[str]:
    """The columns it printed."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    first = list(summary.columns).index("config")
    last = list(summary.columns).index("regret") if "regret" in summary else len(summary.columns)
    shown = summary.iloc[:, first:last + 1].drop(columns=["evaluations"], errors="ignore")
    table = Table(title=title or None, box=box.SIMPLE_HEAD, pad_edge=False)
    for name in shown.columns:
        if name == "config":
            table.add_column(name)
        else:
            table.add_column(name.replace("_", " "), justify="right", min_width=7)
    names = [str(c) for c in shown.columns]
    for row in shown.itertuples(index=False):
        table.add_row(*(Text(_text(v, c)) for v, c in zip(row, names)))  # Text: not markup
    console = Console(file=out, width=_width(out))
    natural = Console(file=io.StringIO(), width=100_000).measure(table).maximum
    if natural > console.width:
        return _print_plain(summary, title, out)  # too narrow: the terminal wraps plain lines
    console.print(table)
    return names


def _width(out: TextIO) -> int | None:
    """The width of the terminal `out` writes to (rich would measure stdout instead)."""
    try:
        return os.get_terminal_size(out.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        return None
