"""Read the official NAS-Bench-101 `.tfrecord` files into a Table.

Each record is the JSON list `[module_hash, epochs, adjacency, operations, metrics]`:
adjacency a string of '0'/'1' (row-major, V*V), operations comma-separated op strings,
metrics a base64 `ModelMetrics`. Runs of a cell at one epoch budget are numbered in file
order (the official API does the same). Metrics are read at the end of training (the last
checkpoint of the run), which is what the official `query()` returns.
"""
from __future__ import annotations

import base64
import binascii
import json
import math
from array import array
from pathlib import Path
from typing import Callable

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store.metrics_proto import decode_model_metrics
from nasdsl.nasbench101 import MAX_VERTICES
from nasdsl.store.table import LABELS, PAD_LABEL, RUN_METRICS, Table
from nasdsl.store.tfrecord import read_batches

Progress = Callable[[int], None]
"""Called with the number of bytes of the file consumed so far."""


class _Collector:
    """Accumulates records in flat typed arrays (millions of records, little memory)."""

    def __init__(self) -> None:
        self.cell_of: dict[str, int] = {}
        self.specs: list[tuple[str, str]] = []
        self.params: array = array("d")
        self.rec_cell = array("l")
        self.rec_epochs = array("l")
        self.rec_repeat = array("l")
        self.values = {m: array("d") for m in RUN_METRICS}
        self._runs_seen: dict[tuple[int, int], int] = {}

    def add(self, record: bytes, index: int, path: Path) -> None:
        try:
            module_hash, epochs, adjacency, operations, raw = json.loads(record)
            metrics = decode_model_metrics(base64.b64decode(raw, validate=True))
            epochs = int(epochs)
        except (ValueError, TypeError, binascii.Error, DataError) as e:
            raise DataError(f"{path}: record {index} is not a NAS-Bench-101 record "
                            f"([hash, epochs, adjacency, operations, metrics]): {e}") from None
        cell = self.cell_of.get(module_hash)
        if cell is None:
            cell = self.cell_of[module_hash] = len(self.specs)
            self.specs.append((adjacency, operations))
            p = metrics.trainable_parameters
            self.params.append(math.nan if p is None else float(p))
        repeat = self._runs_seen.get((cell, epochs), 0)
        self._runs_seen[(cell, epochs)] = repeat + 1
        self.rec_cell.append(cell)
        self.rec_epochs.append(epochs)
        self.rec_repeat.append(repeat)
        final = metrics.evaluation_data[-1] if metrics.evaluation_data else None
        for m in RUN_METRICS:
            v = getattr(final, m) if final is not None else None
            self.values[m].append(math.nan if v is None else v)


def read_tfrecord(path: Path, progress: Progress | None = None) -> Table:
    """Parse a whole file; DataError on a damaged file or a record of the wrong shape."""
    col = _Collector()
    index = 0
    consumed = 0
    for batch in read_batches(path):
        for record in batch:
            col.add(record, index, path)
            index += 1
            consumed += len(record) + 16
        if progress is not None:
            progress(consumed)
    if index == 0:
        raise DataError(f"{path}: no records; not a NAS-Bench-101 file")
    return _to_table(col, path)


def _to_table(col: _Collector, path: Path) -> Table:
    n = len(col.specs)
    hashes = np.array([h.encode("ascii") for h in col.cell_of], dtype="S32")
    adjacency = np.zeros((n, MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
    labels = np.full((n, MAX_VERTICES), PAD_LABEL, dtype=np.int8)
    num_vertices = np.zeros(n, dtype=np.int8)
    for i, (adj, ops) in enumerate(col.specs):
        names = ops.split(",")
        v = len(names)
        if v > MAX_VERTICES or len(adj) != v * v:
            raise DataError(f"{path}: cell {hashes[i].decode()} has a {len(adj)}-character "
                            f"adjacency for {v} operations")
        try:
            labels[i, :v] = [LABELS[o] for o in names]
        except KeyError as e:
            raise DataError(f"{path}: unknown operation {e.args[0]!r} in cell "
                            f"{hashes[i].decode()}") from None
        adjacency[i, :v, :v] = np.frombuffer(adj.encode("ascii"), dtype=np.uint8).reshape(v, v) - 48
        num_vertices[i] = v
    epochs_of = np.frombuffer(col.rec_epochs, dtype=np.int_)
    epochs = sorted(int(e) for e in np.unique(epochs_of))
    cells = np.frombuffer(col.rec_cell, dtype=np.int_)
    repeats = np.frombuffer(col.rec_repeat, dtype=np.int_)
    e_index = np.searchsorted(np.array(epochs), epochs_of)
    r = int(repeats.max()) + 1
    run_metrics = {}
    for m in RUN_METRICS:
        values = np.frombuffer(col.values[m], dtype=np.float64)
        if np.isnan(values).all():
            continue
        dtype = np.float64 if m == "training_time" else np.float32
        grid = np.full((n, len(epochs), r), np.nan, dtype=dtype)
        grid[cells, e_index, repeats] = values
        run_metrics[m] = grid
    cell_metrics = {}
    params = np.frombuffer(col.params, dtype=np.float64)
    if not np.isnan(params).any():
        cell_metrics["trainable_parameters"] = params.astype(np.int64)
    elif not np.isnan(params).all():
        cell_metrics["trainable_parameters"] = params
    table = Table(hashes, adjacency, labels, num_vertices, epochs, run_metrics, cell_metrics)
    table.sort()
    return table
