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


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """The evaluations.metrics text of a result (numpy scalars become numbers)."""
    if not metrics:
        return "{}"
    return _ENCODE(metrics)


def expand_json(texts: Sequence[str]) -> dict[str, list[Any]]:
    """Metric columns from per-row JSON objects, in order of first appearance."""
    return json_columns(decode_json(texts))


def decode_json(texts: Sequence[str | None]) -> list[dict]:
    """Per-row JSON objects (an empty one for NULL), in one parse."""
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]")


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
