"""Small NAS-Bench-101 tables for evaluator tests: genuine cells (benchmark hashes) with
several repeats and epoch budgets, written as a table .npz and imported like any other."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nasdsl.store.importer import import_file
from nb101_specs import genuine_specs

def value(i: int, name: str, epochs: int, repeat: int) -> float:
    """Distinct float32-exact value of each (cell, metric, epochs, repeat)."""
    offset = {"validation_accuracy": 0.25, "test_accuracy": 0.125, "train_accuracy": 0.5,
              "training_time": 1000.0}[name]
    return offset + (i * 64 + epochs * 2 + repeat) / 2 ** 16


def make_store(folder: Path, count: int = 30, epochs=(12, 108), repeats: int = 3,
               metrics=("validation_accuracy", "test_accuracy", "training_time"), seed: int = 0):
    """Import a table of `count` cells into data folder `folder`; returns (store, specs)."""
    specs = genuine_specs(count, seed)
    n = len(specs)
    adjacency = np.zeros((n, 7, 7), dtype=np.uint8)
    ops = np.full((n, 7), "", dtype="<U15")
    for i, (_, m, o) in enumerate(specs):
        adjacency[i, :len(o), :len(o)] = m
        ops[i, :len(o)] = o
    columns = {f"{name}_e{e}_r{r}": np.array([value(i, name, e, r) for i in range(n)])
               for name in metrics for e in epochs for r in range(repeats)}
    path = folder / "table.npz"
    np.savez(path, hash=np.array([h for h, _, _ in specs]), adjacency=adjacency, ops=ops,
             trainable_parameters=np.arange(n, dtype=np.int64) * 1000, **columns)
    return import_file(path, folder).store, specs
