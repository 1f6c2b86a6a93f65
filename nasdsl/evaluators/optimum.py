"""The best value a metric can take in a declared search space: what regret is measured
against, and what "found the space's best" means.

For NAS-Bench-101 the store holds every cell, so the best of a declared cell space is exact:
the store's cells are filtered by the space's rules (at most `vertices` vertices and `edges`
edges after pruning, hidden ops among `ops`, chains only for `topology = chain`, at most
`inputs` inputs into any vertex) and the
best is the highest mean over training repeats at the evaluator's epoch budget (for the
whole table: the benchmark's "global optimum", 94.32 % mean test accuracy on the official
table), whatever `repeats` says. Other evaluators or spaces, or a store that cannot be
opened, have no known optimum (None).
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np

from nasdsl.errors import DamagedDataError, DataError

def space_optimum(evaluator: dict, metric: str, space: dict | None = None) -> float | None:
    """Best value of `metric` among the architectures of `space` (a plan's space record:
    `{"kind": "cell", "settings": {vertices, edges, ops, topology}}`) under `evaluator` (its
    record: `{"kind": "nasbench101", "settings": {data, epochs, ...}}`), or None when unknown.
    `space=None` means the whole table."""
    if evaluator.get("kind") != "nasbench101":
        return None
    settings = evaluator.get("settings") or {}
    data = settings.get("data")
    cells = _cell_rules(space)
    if cells is False:
        return None
    return _best(None if data is None else str(data), metric, int(settings.get("epochs", 108)),
                 cells)


Rules = tuple[int, int, tuple[int, ...], str, int | None]
"""(vertices, edges, hash labels of the allowed ops, topology, most inputs of a vertex)."""


def _cell_rules(space: dict | None) -> Rules | None | bool:
    """The space's rules; None for the whole table, False for a space that is not cells."""
    if space is None:
        return None
    if space.get("kind") != "cell":
        return False
    from nasdsl.hashing import label_of

    s = space.get("settings") or {}
    try:
        labels = tuple(sorted({label_of(op) for op in s.get("ops") or
                               ("conv1x1", "conv3x3", "maxpool3x3")}))
    except ValueError:
        return False
    inputs = s.get("inputs")
    return (int(s.get("vertices", 7)), int(s.get("edges", 9)), labels,
            str(s.get("topology", "dag")), None if inputs is None else int(inputs))


@lru_cache(maxsize=32)
def _best(data: str | None, metric: str, epochs: int, rules: Rules | None) -> float | None:
    from nasdsl.store.nasbench101 import NASBench101Store

    try:
        store = NASBench101Store.open(data)
        values = _cell_values(store, metric, epochs)
        if values is None:
            return None
        if rules is not None:
            values = values[_mask(store, rules)]
        best = np.nanmax(values) if np.isfinite(values).any() else None
    except DamagedDataError:
        raise
    except DataError:
        return None
    return None if best is None else float(best)


def _cell_values(store, metric: str, epochs: int) -> np.ndarray | None:
    """One value per cell of the store: a cell metric as it is, a run metric's mean over its
    runs at `epochs`; None when the store lacks the metric or those epochs."""
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


def in_space(store, space: dict) -> np.ndarray | None:
    """Which of the store's cells belong to `space` (a space record), as a boolean array over
    the store's rows; None for a space that is not a cell space."""
    rules = _cell_rules(space)
    return None if rules is None or rules is False else _mask(store, rules)


def _mask(store, rules: Rules) -> np.ndarray:
    """Which of the store's cells (canonical pruned specs) follow a cell space's rules."""
    vertices, edges, labels, topology, inputs = rules
    from nasdsl.store.table import LABELS, PAD_LABEL

    adjacency = np.asarray(store.adjacency)
    n = np.asarray(store.num_vertices).astype(np.int64)
    count = adjacency.reshape(len(adjacency), -1).sum(axis=1, dtype=np.int64)
    allowed = [LABELS["input"], LABELS["output"], PAD_LABEL, *labels]
    inside = (n <= vertices) & (count <= edges) & np.isin(store.labels, allowed).all(axis=1)
    if topology == "chain":  # input → op → … → output: n - 1 edges, each i → i + 1
        width = adjacency.shape[1]
        steps = np.stack([adjacency[:, i, i + 1] for i in range(width - 1)], axis=1) == 1
        needed = np.arange(width - 1)[None, :] < (n[:, None] - 1)
        inside &= (n >= 3) & (count == n - 1) & np.where(needed, steps, True).all(axis=1)
    if inputs is not None:  # in-degree of every vertex: the sum of its column
        inside &= adjacency.sum(axis=1, dtype=np.int64).max(axis=1) <= inputs
    return inside


def optimum_key(evaluator: dict, metric: str, space: dict | None = None) -> str:
    """How a journal's `optima` meta entry names (space, evaluator, metric)."""
    key = json.dumps(evaluator, sort_keys=True) + "|" + metric
    return key if space is None else json.dumps(space, sort_keys=True) + "|" + key


def optima(pairs: list[tuple[dict, dict]], metrics_of) -> dict[str, float]:
    """The known optimum of each metric `metrics_of(evaluator)` names, for each (evaluator,
    space) record pair: recorded in the journal when a run starts, so reports need no store."""
    found: dict[str, float] = {}
    for evaluator, space in pairs:
        for metric in metrics_of(evaluator):
            value = space_optimum(evaluator, metric, space)
            if value is not None:
                found[optimum_key(evaluator, metric, space)] = value
    return found


ALIASES = {"parameters": "trainable_parameters"}
"""Metric names a file may write for a store column (NAS-Bench-101's `parameters`)."""


def space_front(evaluator: dict, objectives: list, space: dict | None = None
                ) -> list[list[float]] | None:
    """The true Pareto front of `space` under `evaluator` for `objectives` (the plan's
    `nasdsl.objectives.Objective` list): every non-dominated cell's metric values, in the
    objectives' order and the metrics' own units (run metrics as the mean over training
    repeats, as for `space_optimum`), sorted by the first objective; None when unknown
    (another evaluator, a space that is not cells, a store that cannot be opened)."""
    if evaluator.get("kind") != "nasbench101" or not objectives:
        return None
    settings = evaluator.get("settings") or {}
    data = settings.get("data")
    cells = _cell_rules(space)
    if cells is False:
        return None
    names = tuple(ALIASES.get(o.metric, o.metric) for o in objectives)
    senses = tuple(o.sense for o in objectives)
    found = _front(None if data is None else str(data), names, senses,
                   int(settings.get("epochs", 108)), cells)
    return None if found is None else [list(row) for row in found]


@lru_cache(maxsize=16)
def _front(data: str | None, names: tuple[str, ...], senses: tuple[str, ...], epochs: int,
           rules: Rules | None) -> tuple[tuple[float, ...], ...] | None:
    from nasdsl.pareto import front
    from nasdsl.store.nasbench101 import NASBench101Store

    try:
        store = NASBench101Store.open(data)
        columns = [_cell_values(store, name, epochs) for name in names]
        if any(c is None for c in columns):
            return None
    except DamagedDataError:
        raise
    except DataError:
        return None
    table = np.stack(columns, axis=1)
    if rules is not None:
        table = table[_mask(store, rules)]
    signs = np.array([-1.0 if s == "maximize" else 1.0 for s in senses])
    best = front(table * signs) * signs
    return tuple(tuple(float(v) for v in row) for row in best)


def front_key(evaluator: dict, objectives: list, space: dict | None = None) -> str:
    """How a journal's `fronts` meta entry names (space, evaluator, objectives)."""
    return optimum_key(evaluator, ",".join(str(o) for o in objectives), space)
