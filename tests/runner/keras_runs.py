"""A tiny real dataset for runs through the language: the first Fashion-MNIST images as an
`npz("…")` file, so search and final retraining both train in seconds."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def tiny_fashion(folder: Path, source: Path, train: int = 240, test: int = 80) -> Path:
    from nasdsl.training.datasets import load_dataset

    d = load_dataset("fashion_mnist", source)
    path = folder / "tiny_fashion.npz"
    to_bytes = lambda x: np.rint(x[..., 0] * 255).astype(np.uint8)  # noqa: E731
    np.savez(path, x_train=to_bytes(d.x_train[:train]), y_train=d.y_train[:train],
             x_test=to_bytes(d.x_test[:test]), y_test=d.y_test[:test])
    return path


def experiment(out: Path, data: Path, budget: int, *, filters: str = "[4, 8]",
               layers: str = "1", final: str = "final { top = 2; epochs = 1 }") -> str:
    return f"""experiment tiny_keras
seed = 0; budget = {budget} evaluations
space global {{ layers = {layers}; ops = [conv3x3]; filters = {filters} }}
evaluate keras {{ dataset = npz("{data}"); epochs = 1; batch_size = 32; validation = 0.25 }}
search random
{final}
output = "{out}"
"""
