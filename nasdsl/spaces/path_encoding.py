"""The path encoding of a cell (White, Neiswanger & Savani 2021): one feature per possible
input → output path, 1 when the cell has that path.

A path is the sequence of hidden ops it passes, so a space with `k` ops and at most `V`
vertices has 1 + k + … + k^(V-2) features (364 for NAS-Bench-101): isomorphic cells get
the same vector, and predictors trained on it generalize better than on adjacency matrices.
Other spaces are encoded by their vector encoding, scaled into [0, 1].
"""
from __future__ import annotations

from typing import Any, Hashable

import numpy as np

from nasdsl.spaces.base import Space


def feature_count(space: Space) -> int:
    """Length of `features(space, arch)`."""
    if _is_cell_space(space):
        k, longest = len(space.ops), space.vertices - 2
        return sum(k ** n for n in range(longest + 1))
    return len(space.bounds[0])


def features(space: Space, arch: Hashable) -> np.ndarray:
    """The path encoding of a cell, the scaled vector encoding of anything else."""
    out = np.zeros(feature_count(space))
    if _is_cell_space(space):
        out[path_indices(space, arch)] = 1.0
        return out
    lower, upper = space.bounds
    span = np.where(upper > lower, upper - lower, 1.0)
    return (np.asarray(space.encode(arch), dtype=float) - lower) / span


def path_indices(space: Any, cell: Any) -> list[int]:
    """Feature index of every input → output path of the pruned cell (none when the cell
    is disconnected). Paths of n hidden ops are numbered after all shorter ones, in base
    `len(space.ops)` by the ops' order in the space."""
    if not cell.is_connected:
        return []
    pruned = cell.pruned()
    rows, ops, n = pruned._rows, pruned.ops, pruned.num_vertices
    k = len(space.ops)
    digit = {op: i for i, op in enumerate(space.ops)}
    offsets = [sum(k ** m for m in range(length)) for length in range(space.vertices)]
    found: list[int] = []
    stack = [(0, 0, 0)]  # vertex, path code so far, hidden ops so far
    while stack:
        v, code, length = stack.pop()
        successors = rows[v]
        w = v + 1
        while successors >> w:
            if successors >> w & 1:
                if w == n - 1:
                    found.append(offsets[length] + code)
                else:
                    stack.append((w, code * k + digit.get(ops[w], 0), length + 1))
            w += 1
    return found


def _is_cell_space(space: Space) -> bool:
    return getattr(space, "kind", None) == "cell"
