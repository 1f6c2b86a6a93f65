"""The NAS-Bench-101 table in memory, between a source file and the store on disk.

Run metrics have one value per training run: arrays shaped (cells, epochs, repeats), NaN
where the source has no such run. Cell metrics are fixed per cell: arrays shaped (cells,).
Specs use the official hashing labels (-1 input, -2 output, 0 conv3x3-bn-relu,
1 conv1x1-bn-relu, 2 maxpool3x3, -3 unused padding) in a 7x7 zero-padded matrix.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasdsl.errors import DataError
from nasdsl.ops import NASBENCH101_LABELS, NASBENCH101_OPS

PAD_LABEL = -3
# Per-run metrics, in the order the DSL lists them.
RUN_METRICS = ("validation_accuracy", "test_accuracy", "train_accuracy", "training_time")
# Fixed per-cell metrics.
CELL_METRICS = ("trainable_parameters", "flops")
METRICS = RUN_METRICS + CELL_METRICS
# Table op strings -> hashing label.
LABELS = {NASBENCH101_OPS.get(op, op): label for op, label in NASBENCH101_LABELS.items()}
OP_STRINGS = {v: k for k, v in LABELS.items()}


@dataclass
class Table:
    """Columns of one table; rows sorted by hash once `sort()` has run."""

    hashes: np.ndarray            # S32 (N,)
    adjacency: np.ndarray         # uint8 (N, 7, 7)
    labels: np.ndarray            # int8 (N, 7)
    num_vertices: np.ndarray      # int8 (N,)
    epochs: list[int]
    run_metrics: dict[str, np.ndarray] = field(default_factory=dict)
    cell_metrics: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def cells(self) -> int:
        return int(self.hashes.shape[0])

    @property
    def repeats(self) -> int:
        shapes = [a.shape[2] for a in self.run_metrics.values()]
        return max(shapes) if shapes else 0

    def sort(self) -> None:
        """Order rows by hash (the store binary-searches them); refuse duplicate hashes."""
        order = np.argsort(self.hashes, kind="stable")
        self.hashes = self.hashes[order]
        if self.cells > 1:
            dup = np.flatnonzero(self.hashes[1:] == self.hashes[:-1])
            if dup.size:
                raise DataError(f"hash {self.hashes[dup[0]].decode()} appears twice in the table")
        self.adjacency = self.adjacency[order]
        self.labels = self.labels[order]
        self.num_vertices = self.num_vertices[order]
        self.run_metrics = {k: v[order] for k, v in self.run_metrics.items()}
        self.cell_metrics = {k: v[order] for k, v in self.cell_metrics.items()}

    def check(self) -> None:
        """Refuse a table whose columns disagree in length or whose hashes are not hex."""
        n = self.cells
        columns = {"adjacency": self.adjacency, "ops": self.labels,
                   "num_vertices": self.num_vertices, **self.run_metrics, **self.cell_metrics}
        for name, col in columns.items():
            if col.shape[0] != n:
                raise DataError(f"column {name} has {col.shape[0]} rows, hash has {n}")
        for name, col in self.run_metrics.items():
            if col.ndim != 3 or col.shape[1] != len(self.epochs):
                raise DataError(f"metric {name} is shaped {col.shape}, expected "
                                f"(cells, {len(self.epochs)} epochs, repeats)")
        if self.hashes.dtype != np.dtype("S32"):
            raise DataError(f"hashes must be 32 hex characters, got dtype {self.hashes.dtype}")
        if n and not np.all(np.char.isalnum(self.hashes[: min(n, 1000)])):
            raise DataError("hashes must be 32 hex characters")
