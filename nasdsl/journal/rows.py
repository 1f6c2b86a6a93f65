"""What makes a journal's row (an evaluation, a `final` retraining) trustworthy: a checksum
written with it, the types its columns hold, and the range each of its values can take.

A row's checksum is a 64-bit hash of all its columns, computed column by column over whole
batches (`pandas.util.hash_array`, SipHash-2-4 with a fixed key, for text; the bits of the
float64 value, mixed, for numbers): no Python step per row, so checksumming costs about a
tenth of writing or reading a journal (`bench/bench_journal_checks.py`: 1.9 million rows).
It is recomputed from the values as SQLite gives them back, so a row reads as written
exactly when no bit of it changed: a flipped bit in a fitness, an edited value, a value of
the wrong type, a row moved to another run or index.

Ranges come from a metric's kind, read from its name: an accuracy (`…accuracy`) is a
fraction in [0, 1]; counts, parameters, FLOPs and times (`parameters`, `flops`, `epochs`,
`…_time`, `…_seconds`) are finite and >= 0; other metrics are not checked.
"""
from __future__ import annotations

import functools
import math

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

HASHED = ("run", "idx", "generation", "architecture", "hash", "fitness", "status", "error",
          "cost_seconds", "wall_seconds", "metrics", "arrival")
"""The columns an evaluation's checksum covers, in the order they are mixed."""
FINAL_HASHED = ("config", "hash", "epochs", "rank", "architecture", "search_fitness", "seed",
                "status", "error", "fitness", "cost_seconds", "wall_seconds", "metrics",
                "model", "data")
"""The columns a retraining's (`finals`) checksum covers."""
TEXT = frozenset({"run", "config", "architecture", "hash", "status", "error", "metrics",
                  "model", "data"})
INTEGER = frozenset({"idx", "generation", "arrival", "epochs", "rank", "seed"})
REAL = frozenset({"fitness", "search_fitness", "cost_seconds", "wall_seconds"})
_KEY = "nasdsl-journal-1"  # 16 bytes, SipHash's key: changing it changes every checksum
_NULL = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: every input bit reaches every output bit."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def numbers(values: Sequence[Any]) -> np.ndarray:
    """float64 of each value; NaN for NULL and for anything that is not a number."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        series = pd.Series(np.asarray(values, dtype=object), dtype=object)
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64,
                                                               na_value=np.nan)


def _number_hash(values: Sequence[Any]) -> np.ndarray:
    x = numbers(values) + 0.0  # -0.0 reads back from SQLite as 0.0
    null = np.isnan(x)
    bits = x.view(np.uint64).copy()
    bits[null] = 0
    return _mix(bits) ^ (null.astype(np.uint64) * _NULL)


def _text_hash(values: Sequence[Any]) -> np.ndarray:
    """Each value's SipHash. Every value is hashed, even in columns of few distinct values
    (run, status): factorizing them first gives the same hashes at three times the cost."""
    array = np.asarray(values, dtype=object)
    null = pd.isna(array)
    if null.any():
        array = np.where(null, "", array)
    try:
        h = pd.util.hash_array(array, hash_key=_KEY, categorize=False)
    except TypeError:  # a value that is neither text nor NULL: hashed as its repr
        array = np.array([v if isinstance(v, (str, bytes)) else repr(v) for v in array],
                         dtype=object)
        h = pd.util.hash_array(array, hash_key=_KEY, categorize=False)
    return h ^ (null.astype(np.uint64) * _NULL)


def checksums(columns: Mapping[str, Sequence[Any]],
              names: Sequence[str] = HASHED) -> np.ndarray:
    """The checksum of each row, as int64 (SQLite's INTEGER), from the columns `names`
    (each a sequence over the rows; a missing one, as `arrival` may be, is NULL
    throughout)."""
    n = len(columns[names[0]])
    total = np.full(n, 0x6E617364, dtype=np.uint64)
    for position, name in enumerate(names):
        values = columns.get(name)
        if values is None:
            values = [None] * n
        part = _text_hash(values) if name in TEXT else _number_hash(values)
        total = _mix(total ^ part ^ np.uint64(position))
    return total.view(np.int64)


def row_checksums(rows: Sequence[Sequence[Any]], names: Sequence[str] = HASHED) -> list[int]:
    """The checksum of each row given as a tuple in `names` order (trailing columns, as
    `arrival`, may be left out: NULL): what a writer stores beside it."""
    if not rows:
        return []
    width = len(names)
    if any(len(r) != len(rows[0]) for r in rows):
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    return checksums(dict(zip(names, zip(*rows))), names).tolist()


@functools.lru_cache(maxsize=1024)
def metric_kind(name: str) -> str | None:
    """"accuracy" (a fraction in [0, 1]), "amount" (finite, >= 0) or None (unchecked)."""
    if name.endswith("accuracy"):
        return "accuracy"
    if (name in ("parameters", "flops", "epochs") or name.endswith(("_parameters", "_flops",
                                                                     "_time", "_seconds"))):
        return "amount"
    return None


KIND_WORDS = {"accuracy": "an accuracy (a fraction from 0 to 1)",
              "amount": "a finite amount of at least 0"}


def out_of_range(values: np.ndarray, kind: str | None) -> np.ndarray:
    """Which values (float64, NaN for none) a metric of `kind` cannot take."""
    if kind == "accuracy":
        return ~np.isnan(values) & ~((values >= 0.0) & (values <= 1.0))
    if kind == "amount":
        return ~np.isnan(values) & ~(np.isfinite(values) & (values >= 0.0))
    return np.zeros(len(values), dtype=bool)


def result_problem(fitness: Any, fitness_metric: str | None, cost_seconds: Any,
                   metrics: Mapping[str, Any]) -> str | None:
    """Why an evaluation's values could not be journaled as sound (the reader's range rules,
    applied before a search sees them), or None: an evaluator answering in the wrong units
    (an accuracy of 95) fails that evaluation instead of damaging the journal. Called once
    per evaluation, so it judges plain floats, never arrays."""
    checks = [("fitness" + (f" ({fitness_metric})" if fitness_metric else ""),
               metric_kind(fitness_metric) if fitness_metric else None, fitness),
              ("cost_seconds", "amount", cost_seconds)]
    checks += [(f"metric {name}", metric_kind(name), value) for name, value in metrics.items()]
    for what, kind, value in checks:
        if kind is None:
            continue
        try:
            number = float(value)  # as `metric_numbers` reads it; no number: nothing to judge
        except (TypeError, ValueError):
            continue
        if number == number and not (0.0 <= number <= 1.0 if kind == "accuracy"
                                     else 0.0 <= number < math.inf):
            return f"its {what} is {number!r}, which is not {KIND_WORDS[kind]}"
    return None


def metric_numbers(values: Sequence[Any]) -> np.ndarray:
    """A metric column's numbers (NaN where a row has none, or a value that is no number:
    a learning curve, a word)."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return np.array([float(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                         else np.nan for v in values], dtype=np.float64)


_INFERRED = {"text": ("string", "empty"), "integer": ("integer", "empty"),
             "real": ("floating", "integer", "mixed-integer-float", "empty")}
_TYPES: dict[str, tuple[type, ...]] = {"text": (str,), "integer": (int,), "real": (int, float)}


def _type_of(column: str) -> str:
    return "text" if column in TEXT else "integer" if column in INTEGER else "real"


def _fits(value: Any, kind: str) -> bool:
    return value is None or (isinstance(value, _TYPES[kind]) and not isinstance(value, bool))


def wrong_types(columns: Mapping[str, Sequence[Any]],
                names: Sequence[str] = HASHED) -> np.ndarray | None:
    """Which rows hold a value their column cannot hold (text where a number belongs, a
    number where text belongs), as SQLite gave them back; None when every row is right.
    One pass in C per column (`infer_dtype`); rows are looked at one by one only in a
    column found wrong."""
    wrong = None
    for name in names:
        values = columns.get(name)
        kind = _type_of(name)
        if (values is None or not len(values)
                or pd.api.types.infer_dtype(values, skipna=True) in _INFERRED[kind]):
            continue
        bad = np.fromiter((not _fits(v, kind) for v in values), dtype=bool, count=len(values))
        wrong = bad if wrong is None else wrong | bad
    return wrong if wrong is not None and wrong.any() else None


def wrong_type(columns: Mapping[str, Sequence[Any]], i: int,
               names: Sequence[str] = HASHED) -> str:
    """What is wrong with row `i`'s types, said for the user."""
    for name in names:
        values = columns.get(name)
        kind = _type_of(name)
        if values is not None and len(values) and not _fits(values[i], kind):
            return (f"its {name} is {values[i]!r}, not "
                    + ("text" if kind == "text" else "a number"))
    return "one of its values has the wrong type"
