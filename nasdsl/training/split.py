"""Which images a search trains on and which score it: a fixed draw, the same for every
candidate and every run, so fitness values compare."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasdsl.errors import DataError
from nasdsl.training.datasets import Dataset


@dataclass(frozen=True, eq=False)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray


def subset_size(subset: float | int, available: int) -> int:
    """Images `subset` asks for: an integer is a count, a float in (0, 1] a fraction."""
    if isinstance(subset, bool):
        raise DataError(f"subset = {subset} is neither a count nor a fraction")
    if isinstance(subset, (int, np.integer)):
        if subset > available:
            raise DataError(f"subset = {subset} but the training set holds {available} images")
        return int(subset)
    if not 0.0 < subset <= 1.0:
        raise DataError(f"subset = {subset} is not a fraction in (0, 1]")
    return max(1, int(round(subset * available)))


def search_split(dataset: Dataset, validation: float, subset: float | int = 1.0,
                 seed: int = 0) -> Split:
    """`subset` of the training set drawn with `seed`, then its first `validation` fraction
    held out. DataError when either part would be empty."""
    n = len(dataset.x_train)
    take = subset_size(subset, n)
    held = int(round(validation * take))
    if held < 1 or held >= take:
        raise DataError(f"validation = {validation} of {take} images leaves "
                        f"{'no validation' if held < 1 else 'no training'} image")
    order = np.random.default_rng(seed).permutation(n)[:take]
    val, train = np.sort(order[:held]), np.sort(order[held:])
    return Split(dataset.x_train[train], dataset.y_train[train],
                 dataset.x_train[val], dataset.y_train[val])
