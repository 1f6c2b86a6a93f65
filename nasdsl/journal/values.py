"""The journal's JSON columns: how values are written into them and read back as columns."""
from __future__ import annotations

import json
from typing import Any, Mapping, Sequence

import numpy as np

from nasdsl.plan import jsonable


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def to_json(value: Any) -> str:
    """A plan value or an outcome as JSON text."""
    return json.dumps(jsonable(value), default=_json_default)


_ENCODE = json.JSONEncoder(default=_json_default).encode
_KEYS: dict[str, str] = {}
"""Metric name -> its JSON text, for the names seen so far (a run uses the same few)."""
_LITERALS = {True: "true", False: "false"}


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """The evaluations.metrics text of a result (numpy scalars become numbers): exactly
    `json.JSONEncoder().encode`'s text. Written once per evaluation (millions in a lookup
    grid), so flat metrics of finite numbers, booleans and None are joined here at a
    quarter of the encoder's cost; anything else goes to the encoder."""
    if not metrics:
        return "{}"
    parts = []
    for key, value in metrics.items():
        name = _KEYS.get(key) if type(key) is str else None
        if name is None:
            if type(key) is not str or len(_KEYS) >= 1024:
                return _ENCODE(metrics)
            name = _KEYS[key] = json.dumps(key)
        if isinstance(value, float):
            if value - value != 0.0:  # inf, nan: the encoder's spelling
                return _ENCODE(metrics)
            text = float.__repr__(value)
        elif value is None:
            text = "null"
        elif type(value) is bool:
            text = _LITERALS[value]
        elif isinstance(value, int):
            text = int.__repr__(value)
        else:
            return _ENCODE(metrics)
        parts.append(name + ": " + text)
    return "{" + ", ".join(parts) + "}"


def expand_json(texts: Sequence[str]) -> dict[str, list[Any]]:
    """Metric columns from per-row JSON objects, in order of first appearance."""
    return json_columns(decode_json(texts))


def decode_json(texts: Sequence[str | None]) -> list[dict]:
    """Per-row JSON objects (an empty one for NULL), in one parse."""
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]")


_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_PLAIN_TYPES = ("null", "bool", "int64", "double", "string")
"""Arrow types whose values read back as `json.loads` gives them (no timestamps inferred
from text, no lists or objects)."""


def metric_columns(texts: Sequence[str | None]) -> dict[str, Sequence[Any]]:
    """Metric columns from per-row JSON objects, in order of first appearance: what
    `json_columns(decode_json(texts))` gives, parsed in C (pyarrow's JSON reader) when every
    metric is plain (numbers, text, booleans) and the rows parse there; else in Python.
    A column of numbers present in every row is a numpy array, the others lists (None where
    a row lacks the metric)."""
    fast = _arrow_columns(texts)
    return fast if fast is not None else json_columns(decode_json(texts))


def _arrow_columns(texts: Sequence[str | None]) -> dict[str, Sequence[Any]] | None:
    if not len(texts):
        return {}
    try:
        import pyarrow as pa
        import pyarrow.json as pa_json

        lines = "\n".join(t or "{}" for t in texts).encode("utf-8")
        if lines.translate(_DIGITS).find(b"0" * 19) >= 0:  # a whole number past int64 (a
            return None  # float's repr has at most 17 digits): Python keeps it whole, Arrow not
        table = pa_json.read_json(pa.py_buffer(lines))
    except (ImportError, TypeError, ValueError, UnicodeError, ArithmeticError):
        return None  # ArrowInvalid is a ValueError: text the C parser refuses (NaN, …)
    if table.num_rows != len(texts):
        return None
    out: dict[str, Sequence[Any]] = {}
    for name, column in zip(table.column_names, table.columns):
        kind = str(column.type)
        if kind not in _PLAIN_TYPES:
            return None
        if kind in ("int64", "double", "bool") and column.null_count == 0:
            out[name] = column.to_numpy()
        else:
            out[name] = column.to_pylist()
    return out


def json_columns(decoded: Sequence[dict]) -> dict[str, list[Any]]:
    """Metric columns from decoded per-row objects, in order of first appearance."""
    names: dict[str, None] = {}
    for d in decoded:
        if len(d) != len(names) or any(k not in names for k in d):
            names.update(dict.fromkeys(d))
    return {n: [d.get(n) for d in decoded] for n in names}


def objects(values: Sequence[Any]) -> np.ndarray:
    """The values as a one-dimensional object array (never a 2-D one)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def number(value: Any) -> float | None:
    """A float, None for none (NaN included)."""
    return None if value is None or value != value else float(value)
