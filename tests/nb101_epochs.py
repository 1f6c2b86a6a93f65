"""A small NAS-Bench-101 table with several epochs (4, 12, 36, 108), as the official full
file has: every cell of the chain space (363 architectures), so a multi-fidelity search on
`space cell { topology = chain }` finds each candidate in it. Accuracies at few epochs are a
noisy view of those at 108 (a candidate's rank at 4 epochs is not its rank at 108)."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from nasdsl.hashing import spec_hash
from nasdsl.store.importer import import_file
from nb101_small import padded

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]
EPOCHS = (4, 12, 36, 108)


def chain_cells() -> list[tuple[str, np.ndarray, list[str]]]:
    """Every chain cell of 1 to 5 hidden layers: (hash, matrix, ops)."""
    cells = []
    for hidden in range(1, 6):
        n = hidden + 2
        m = np.zeros((n, n), dtype=np.uint8)
        for i in range(n - 1):
            m[i, i + 1] = 1
        for ops in itertools.product(OPS, repeat=hidden):
            labels = ["input", *ops, "output"]
            cells.append((spec_hash(m, labels), m, labels))
    return cells


def write_epochs_table(path: Path, epochs: tuple[int, ...] = EPOCHS, seed: int = 0) -> Path:
    cells = chain_cells()
    n = len(cells)
    adjacency, ops = padded(cells)
    rng = np.random.default_rng(seed)
    quality = rng.random(n)
    columns = {"hash": np.array([h for h, _, _ in cells]), "adjacency": adjacency, "ops": ops,
               "trainable_parameters": np.arange(n, dtype=np.int64) * 1000 + 7}
    for e in epochs:
        noise = rng.normal(0.0, 0.6 / np.sqrt(e), n)
        columns[f"validation_accuracy_e{e}_r0"] = np.clip(
            0.3 + 0.6 * (quality + noise) * (1 - 1 / np.sqrt(e)), 0.0, 1.0)
        columns[f"test_accuracy_e{e}_r0"] = columns[f"validation_accuracy_e{e}_r0"] * 0.99
        columns[f"training_time_e{e}_r0"] = 10.0 * e + np.arange(n) / 100
    np.savez(path, **columns)
    return path


def epochs_store(folder: Path, epochs: tuple[int, ...] = EPOCHS) -> Path:
    """The imported store of the table, in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return import_file(write_epochs_table(folder / "epochs.npz", epochs), folder).store
