"""One number format for every table a person reads: the report page, the terminal table,
the dashboard and the study's CSV files.

Counts are integers with thousands separators (`27,706`); means of counts keep one decimal
(`1,896.0`, `819.9`); accuracies and other fractions four decimals (`0.9406`); percentages
three (`94.061`, as the study published them). The machine-read CSV files (`evaluations.csv`, `summary.csv`, `policy.csv`,
`final.csv`) keep full precision: only what a person reads is rounded.
"""
from __future__ import annotations

import math

COUNTS = frozenset({"runs", "unfinished", "evaluations", "repeats", "run", "index", "generation",
                    "seed", "networks", "P", "S", "episodes", "converged", "parameters",
                    "flops", "rank", "epochs", "pairs"})
"""Columns that hold whole counts, whatever their dtype (a float column with gaps)."""
MEAN_COUNTS = frozenset({"mean_first_hit", "mean_first_hit_evaluations", "evaluations per run"})
"""Columns that hold means of counts: one decimal."""
PERCENT_DECIMALS = 3
"""The study published its percentages to 3 decimals (94.061): they are compared as written."""
FRACTION_DECIMALS = 4


def decimals(column: str, percent: bool = False) -> int | None:
    """The decimals of a number in `column` (None: a count, written as an integer)."""
    if column in COUNTS:
        return None
    if column in MEAN_COUNTS or column.startswith("mean_first_hit"):
        return 1
    return PERCENT_DECIMALS if percent else FRACTION_DECIMALS


def is_number(value: object) -> bool:
    """A real number (bool is not one)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return False
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_text(value: object, column: str = "", percent: bool = False) -> str:
    """`value` as the column's unit reads it; `–` for a gap."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    places = decimals(column, percent)
    if places is None or (isinstance(value, float) and math.isinf(value)):
        return f"{value:,.0f}"
    return f"{value:,.{places}f}"


def rounded(table, percent: frozenset[str] | set[str] = frozenset()):
    """A copy of `table` whose float columns are rounded as `number_text` writes them (a CSV
    for people); count columns become nullable integers."""
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype.kind != "f":
            continue
        places = decimals(str(name), str(name) in percent)
        if places is None:
            out[name] = column.round().astype("Int64")
        else:
            out[name] = column.round(places)
    return out
