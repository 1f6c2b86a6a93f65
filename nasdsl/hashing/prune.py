"""Successor bitmasks of a cell's matrix, and pruning as the official `ModelSpec._prune`:
vertices not on an input→output path are dropped."""
from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Sequence

import numpy as np

def rows_of(matrix) -> list[int]:
    """Successor bitmask per vertex (bit j of entry i set when i→j), upper triangle only."""
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    n = m.shape[0]
    if n == 0:
        return []
    if m.dtype.kind not in "biuf" or not np.isin(m, (0, 1)).all():
        bad = m.reshape(-1)[~np.isin(m.reshape(-1), (0, 1))] if m.dtype.kind in "biuf" else m
        raise ValueError(f"matrix entries must be 0 or 1, found {bad.reshape(-1)[0]!r}")
    upper = np.triu(m != 0, 1)
    if np.any((m != 0) & ~upper):
        raise ValueError("matrix must be upper triangular (a DAG in vertex order)")
    return (upper.astype(np.int64) << np.arange(n, dtype=np.int64)).sum(axis=1).tolist()


# --- pruning ----------------------------------------------------------------------------------

def reach(rows: Sequence[int]) -> tuple[int, int]:
    """Bitmasks of the vertices the input reaches and of those that reach the output, for
    successor bitmasks `rows` of a DAG in vertex order."""
    n = len(rows)
    forward = 1
    for v in range(n):
        if forward >> v & 1:
            forward |= rows[v]
    backward = 1 << (n - 1)
    for v in range(n - 2, -1, -1):
        if rows[v] & backward:
            backward |= 1 << v
    return forward, backward


def _kept_vertices(rows: Sequence[int], n: int) -> int | None:
    """Bitmask of vertices on some input→output path, or None when there is no such path."""
    if n < 2:
        return None
    forward, backward = reach(rows[:n] if len(rows) != n else rows)
    keep = forward & backward
    if not keep & 1:
        return None
    return keep


def prune_rows(rows: Sequence[int], n: int) -> tuple[list[int], list[int]] | None:
    """Pruned successor bitmasks and the kept vertex indices, or None when disconnected."""
    n = int(n)
    full = (1 << n) - 1
    if n >= 2 and all(rows[:n - 1]) and reduce(or_, rows[:n], 1) == full:
        # Every vertex but the output has a successor and every one but the input has a
        # predecessor: in a DAG every vertex then lies on an input→output path.
        return list(rows[:n]), list(range(n))
    keep = _kept_vertices(rows, n)
    if keep is None:
        return None
    if keep == full:
        return list(rows), list(range(n))
    kept = [v for v in range(n) if keep >> v & 1]
    new_index = {v: i for i, v in enumerate(kept)}
    pruned = []
    for v in kept:
        row, bits = rows[v] & keep, 0
        for w in kept:
            if row >> w & 1:
                bits |= 1 << new_index[w]
        pruned.append(bits)
    return pruned, kept


def prune(matrix, labels: Sequence) -> tuple[np.ndarray, list] | None:
    """Drop vertices not on an input→output path, as the official `ModelSpec._prune`.

    Returns the pruned matrix and the matching labels (of whatever type was given), or None
    when the output cannot be reached from the input.
    """
    m = np.asarray(matrix)
    n = m.shape[0] if m.ndim == 2 else -1
    if n != len(labels):
        raise ValueError("length of ops must match matrix dimensions")
    result = prune_rows(rows_of(m), n)
    if result is None:
        return None
    _, kept = result
    return m[np.ix_(kept, kept)].copy(), [labels[v] for v in kept]
