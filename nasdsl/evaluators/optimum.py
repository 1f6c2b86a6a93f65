"""The best value a metric can take under an evaluator: what regret is measured against.

For NAS-Bench-101 it is the table's own optimum, read from the store the evaluator uses: the
highest mean over training repeats at the evaluator's epoch budget (the benchmark's "global
optimum", 94.32 % mean test accuracy on the official table), whatever `repeats` says.
`space_optimum` is the same over only the cells of a declared space (`topology = chain`,
fewer vertices, edges or ops): the best a search of that space can find.
Other evaluators, or a store that cannot be opened, have no known optimum (None).
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np

from nasdsl import hashing
from nasdsl.errors import DataError


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
    try:
        values = _cell_values(data, metric, epochs)
        if values is None:
            return None
        best = np.nanmax(values) if np.isfinite(values).any() else None
    except DataError:
        return None
    return None if best is None else float(best)


def _cell_values(data: str | None, metric: str, epochs: int) -> np.ndarray | None:
    """The metric per cell of the store (the mean over repeats for a run metric), or None
    when the store lacks it. Raises DataError when the store cannot be opened."""
    from nasdsl.store.nasbench101 import NASBench101Store

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
    return np.asarray(values, dtype=float)


_FIRST_LOOK = 1000
"""Cells checked before the rest of the table is sorted."""


def space_optimum(evaluator: dict, space: dict, metric: str) -> float | None:
    """Best value of `metric` over the cells of the declared `space` (a journal's space
    record: kind and settings) in the evaluator's NAS-Bench-101 store; None when unknown."""
    if evaluator.get("kind") != "nasbench101" or space.get("kind") != "cell":
        return None
    settings = evaluator.get("settings") or {}
    data = settings.get("data")
    return _space_optimum(None if data is None else str(data), metric,
                          int(settings.get("epochs", 108)),
                          json.dumps(space.get("settings") or {}, sort_keys=True))


@lru_cache(maxsize=16)
def _space_optimum(data: str | None, metric: str, epochs: int, space: str) -> float | None:
    """Cells in decreasing order of the metric until one is inside the space: the space's
    own `is_valid` decides, after a vectorized filter on what it surely refuses."""
    from nasdsl.plan import SpaceSpec
    from nasdsl.spaces import make_space
    from nasdsl.spaces.cell import Cell
    from nasdsl.store.nasbench101 import NASBench101Store

    try:
        cells = make_space(SpaceSpec("cell", json.loads(space)))
        values = _cell_values(data, metric, epochs)
        if values is None:
            return None
        store = NASBench101Store.open(data)
        sizes = np.asarray(store.num_vertices, dtype=np.int64)
        edges = store.adjacency.sum(axis=(1, 2), dtype=np.int16)
        labels = np.asarray(store.labels)
        allowed = [hashing.label_of(op) for op in cells.ops] + [-1, -2, -3]
        maybe = (np.isfinite(values) & (sizes <= cells.vertices) & (edges <= cells.edges)
                 & np.isin(labels, allowed).all(axis=1))
        if getattr(cells, "topology", "dag") == "chain":
            maybe &= edges == sizes - 1
        rows = np.flatnonzero(maybe)
        scores = -values[rows]
        if len(rows) > _FIRST_LOOK:  # the best is nearly always among the first few
            first = np.argpartition(scores, _FIRST_LOOK)[:_FIRST_LOOK]
            rest = np.setdiff1d(np.arange(len(rows)), first)
            order = [first[np.argsort(scores[first], kind="stable")],
                     rest[np.argsort(scores[rest], kind="stable")]]
        else:
            order = [np.argsort(scores, kind="stable")]
        for part in order:
            for row in rows[part].tolist():
                if cells.is_valid(Cell.from_nasbench(*store.spec(row))):
                    return float(values[row])
    except (DataError, ValueError, TypeError):
        return None
    return None


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


def space_optimum_key(evaluator: dict, space: dict, metric: str) -> str:
    """How a journal's `space_optima` meta entry names (evaluator, space, metric)."""
    return json.dumps([evaluator, space], sort_keys=True) + "|" + metric


def space_optima(pairs: list[tuple[dict, dict]], metrics_of) -> dict[str, float]:
    """`space_optimum` of each metric `metrics_of(evaluator)` names, for each (evaluator,
    space) record pair: recorded in the journal when a run starts, like `optima`."""
    found: dict[str, float] = {}
    for evaluator, space in pairs:
        for metric in metrics_of(evaluator):
            value = space_optimum(evaluator, space, metric)
            if value is not None:
                found[space_optimum_key(evaluator, space, metric)] = value
    return found
