"""Small genuine NAS-Bench-101 tables as .npz files (benchmark hashes, distinct values), for
tests that damage tables and stores."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nb101_specs import genuine_specs


def padded(specs) -> tuple[np.ndarray, np.ndarray]:
    """The `adjacency` and `ops` columns of (hash, matrix, ops) specs, padded to 7 vertices."""
    adjacency = np.zeros((len(specs), 7, 7), dtype=np.uint8)
    ops = np.full((len(specs), 7), "", dtype="<U15")
    for i, (_, m, o) in enumerate(specs):
        adjacency[i, :len(o), :len(o)] = m
        ops[i, :len(o)] = o
    return adjacency, ops


def table_columns(count: int = 60, seed: int = 0) -> dict[str, np.ndarray]:
    """The columns of a table of `count` genuine cells: hash, padded spec, two accuracies at
    two epoch budgets and two repeats, training time, parameters."""
    specs = genuine_specs(count, seed)
    n = len(specs)
    adjacency, ops = padded(specs)
    i = np.arange(n)
    columns = {"hash": np.array([h for h, _, _ in specs]), "adjacency": adjacency, "ops": ops,
               "trainable_parameters": i.astype(np.int64) * 1000 + 7}
    for e in (12, 108):
        for r in range(2):
            columns[f"test_accuracy_e{e}_r{r}"] = 0.5 + (i * 8 + e + r) / 2 ** 14
            columns[f"validation_accuracy_e{e}_r{r}"] = 0.25 + (i * 8 + e + r) / 2 ** 14
            columns[f"training_time_e{e}_r{r}"] = 100.0 + i + e + r / 4
    return columns


def write_table(path: Path, count: int = 60, seed: int = 0, **changes: np.ndarray) -> Path:
    """Write a table .npz; `changes` replace or add columns."""
    np.savez(path, **{**table_columns(count, seed), **changes})
    return path
