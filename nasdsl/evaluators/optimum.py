"""The best value a metric can take under an evaluator: what regret is measured against.

For NAS-Bench-101 it is the table's own optimum, read from the store the evaluator uses: the
highest mean over training repeats at the evaluator's epoch budget (the benchmark's "global
optimum", 94.32 % mean test accuracy on the official table), whatever `repeats` says.
Other evaluators, or a store that cannot be opened, have no known optimum (None).
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np

from nasdsl.errors import DamagedDataError, DataError


def table_optimum(evaluator: dict, metric: str) -> float | None:
    """Best value of `metric` in the evaluator's NAS-Bench-101 store, or None when unknown."""
    if evaluator.get("kind") != "nasbench101":
        return None
    settings = evaluator.get("settings") or {}
    data = settings.get("data")
    return _store_optimum(None if data is None else str(data), metric,
                          int(settings.get("epochs", 108)))


@lru_cache(maxsize=16)
def _store_optimum(data: str | None, metric: str, epochs: int) -> float | None:
    from nasdsl.store.nasbench101 import NASBench101Store

    try:
        store = NASBench101Store.open(data)
        if metric not in store.metrics:
            return None
        values = store.array(metric)
        if values.ndim == 3:
            if epochs not in store.epochs:
                return None
            runs = np.asarray(values[:, store.epochs.index(epochs), :], dtype=float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # cells with no run
                values = np.nanmean(runs, axis=1)
        values = np.asarray(values, dtype=float)
        best = np.nanmax(values) if np.isfinite(values).any() else None
    except DamagedDataError:
        raise
    except DataError:
        return None
    return None if best is None else float(best)


def optimum_key(evaluator: dict, metric: str) -> str:
    """How a journal's `optima` meta entry names (evaluator, metric)."""
    return json.dumps(evaluator, sort_keys=True) + "|" + metric


def optima(evaluators: list[dict], metrics_of) -> dict[str, float]:
    """The known optimum of each metric `metrics_of(evaluator)` names, for each evaluator
    record: recorded in the journal when a run starts, so reports need no store."""
    found: dict[str, float] = {}
    for evaluator in evaluators:
        for metric in metrics_of(evaluator):
            value = table_optimum(evaluator, metric)
            if value is not None:
                found[optimum_key(evaluator, metric)] = value
    return found
