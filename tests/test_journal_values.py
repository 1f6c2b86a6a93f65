"""The journal's JSON columns: metrics written as the JSON encoder writes them, and read back
as the Python parser reads them, whichever path (C or Python) does the work."""
from __future__ import annotations

import enum
import json

import numpy as np
import pytest

from nasdsl.journal.values import decode_json, json_columns, metric_columns, metrics_json


class Level(enum.IntEnum):
    HIGH = 3


VALUES = [0.5, 1e-300, 1e300, -0.0, 0.1 + 0.2, float("inf"), float("nan"), np.float64(0.93),
          np.float32(0.5), 3, -7, 2**70, True, False, None, Level.HIGH, np.int64(5), "x",
          [1, 2.5], {"a": 1}]
KEYS = ["test_accuracy", 'a"b', "é", "\n", 5, "training_time"]


def test_metrics_are_written_as_the_json_encoder_writes_them():
    rng = np.random.default_rng(0)
    encode = json.JSONEncoder(default=lambda v: v.item() if hasattr(v, "item") else str(v)).encode
    for _ in range(3000):
        metrics = {KEYS[rng.integers(len(KEYS))]: VALUES[rng.integers(len(VALUES))]
                   for _ in range(rng.integers(0, 4))}
        assert metrics_json(metrics) == (encode(metrics) if metrics else "{}"), metrics


def _plain(columns: dict) -> dict:
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in columns.items()}


@pytest.mark.parametrize("texts", [
    ['{"a": 1.5, "b": 2}', '{"b": 3, "a": 0.5}', None, '{"c": "x"}'],  # order of appearance
    ['{"a": 1}', '{"a": 2.5}'],                                         # whole and not
    ['{"y": true, "z": 1}', '{"y": false, "z": 2}'],
    ['{"s": "a\\nb\\u00e9", "n": null}'],
    ['{"t": "2024-01-01T00:00:00"}'],                                   # text, not a time
    ['{"l": [1, 2]}', '{"l": [3]}'],                                    # a list: Python
    ['{"a": NaN}', '{"a": 0.5}'],                                       # NaN: Python
    ['{"big": 123456789012345678901234567890}'],
])
def test_metric_columns_read_as_the_python_parser_reads_them(texts):
    expected = json_columns(decode_json(texts))
    got = _plain(metric_columns(texts))
    assert list(got) == list(expected)
    for name, values in expected.items():
        assert len(got[name]) == len(values)
        for mine, theirs in zip(got[name], values):
            assert mine == theirs or (mine != mine and theirs != theirs), name
            assert type(mine) is type(theirs) or isinstance(mine, float), (name, mine, theirs)


def test_metric_columns_over_many_rows_keep_late_metrics():
    texts = [json.dumps({"a": i * 0.5}) for i in range(50_000)] + ['{"a": 1.0, "late": "x"}']
    columns = metric_columns(texts)
    assert list(columns) == ["a", "late"]
    assert isinstance(columns["a"], np.ndarray) and columns["a"][-2] == 49_999 * 0.5
    assert columns["late"][-2:] == [None, "x"]
