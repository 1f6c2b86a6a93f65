"""Exact enumeration of cell spaces, the way the official `generate_graphs.py` does it.

A cell is a *full* DAG (every vertex on an input→output path, which is what pruning leaves)
on V = 2 … `vertices` vertices in topological order, with at most `edges` edges, and one op
per hidden vertex. Two cells are the same architecture when they are isomorphic (equivalently,
share their NAS-Bench-101 hash).

`count_cells` counts them without hashing: it enumerates the unlabelled full DAGs as bitmasks
(vectorized), groups them by a canonical form under permutations of the hidden vertices, and
counts the op labellings of each group up to its automorphisms with Burnside's lemma:
orbits = mean over automorphisms σ of k^(cycles of σ). `enumerate_hashes` does the slow,
literal thing (hash every labelled graph) and is what the tests compare against the table.
Counts are cached on disk under `$NASDSL_DATA` (default `~/.cache/nasdsl`).
"""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import numpy as np

from nasdsl.hashing import hash_many
from nasdsl.store.paths import data_dir

_CACHE_FILE = "space_sizes.json"


def _edge_positions(n: int) -> list[tuple[int, int]]:
    """Upper-triangle positions in the official bit order (column-major: bit x + y(y-1)/2)."""
    return [(x, y) for y in range(n) for x in range(y)]


def full_dags(n: int, max_edges: int, inputs: int | None = None) -> np.ndarray:
    """All full DAGs on n vertices with at most `max_edges` edges (and at most `inputs`
    inputs per vertex, when given), as (M, n, n) bool."""
    if n < 2:
        return np.zeros((0, n, n), dtype=bool)
    positions = _edge_positions(n)
    codes = np.arange(1 << len(positions), dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(len(positions))) & 1).astype(bool)
    keep = bits.sum(axis=1) <= max_edges
    bits = bits[keep]
    mats = np.zeros((len(bits), n, n), dtype=bool)
    for k, (x, y) in enumerate(positions):
        mats[:, x, y] = bits[:, k]
    full = mats[:, :n - 1, :].any(axis=2).all(axis=1) & mats[:, :, 1:].any(axis=1).all(axis=1)
    if inputs is not None:
        full &= mats.sum(axis=1).max(axis=1) <= inputs
    return mats[full]


def _codes(mats: np.ndarray) -> np.ndarray:
    n = mats.shape[1]
    weights = np.int64(1) << np.arange(n * n, dtype=np.int64)
    return (mats.reshape(len(mats), n * n).astype(np.int64) * weights).sum(axis=1)


def _cycles(perm: tuple[int, ...]) -> int:
    seen, count = set(), 0
    for start in range(len(perm)):
        if start not in seen:
            count += 1
            v = start
            while v not in seen:
                seen.add(v)
                v = perm[v]
    return count


def count_labelled(n: int, max_edges: int, num_ops: int, inputs: int | None = None) -> int:
    """Isomorphism classes of op-labelled full DAGs with exactly n vertices (in-degree is
    kept by isomorphisms, so an `inputs` limit filters whole classes)."""
    mats = full_dags(n, max_edges, inputs)
    if len(mats) == 0:
        return 0
    own = _codes(mats)
    canonical = own.copy()
    fixed_weight = np.zeros(len(mats), dtype=np.int64)
    automorphisms = np.zeros(len(mats), dtype=np.int64)
    hidden = list(range(1, n - 1))
    for perm in itertools.permutations(hidden):
        order = [0, *perm, n - 1]
        moved = mats[:, order][:, :, order]
        code = _codes(moved)
        np.minimum(canonical, code, out=canonical)
        same = code == own
        automorphisms += same
        fixed_weight += same * num_ops ** _cycles(tuple(p - 1 for p in perm))
    _, first = np.unique(canonical, return_index=True)
    # Burnside over each class's automorphism group, one representative per class.
    return int(sum(int(fixed_weight[i]) // int(automorphisms[i]) for i in first.tolist()))


MAX_COUNTED_VERTICES = 7
"""Exact counting enumerates every DAG on V vertices, 2^(V(V-1)/2) of them: 2 million for 7,
268 million (56 GiB of bit matrices) for 8. Larger spaces are not counted."""


def count_cells(vertices: int, edges: int, num_ops: int, use_cache: bool = True,
                inputs: int | None = None) -> int:
    """Distinct cells with 2 … `vertices` vertices, at most `edges` edges and at most
    `inputs` inputs per vertex (no limit when None); NotImplementedError above
    `MAX_COUNTED_VERTICES` (the count would not fit in memory)."""
    if vertices > MAX_COUNTED_VERTICES:
        raise NotImplementedError(
            f"exact sizes are counted for cells of at most {MAX_COUNTED_VERTICES} vertices; "
            f"{vertices} would mean enumerating 2^{vertices * (vertices - 1) // 2} graphs")
    key = f"cell-dag:v={vertices},e={edges},k={num_ops}"
    if inputs is not None:
        key += f",i={inputs}"
    cache = data_dir() / _CACHE_FILE
    if use_cache:
        cached = _read_cache(cache).get(key)
        if isinstance(cached, int):
            return cached
    total = sum(count_labelled(n, edges, num_ops, inputs) for n in range(2, vertices + 1))
    if use_cache:
        _write_cache(cache, key, total)
    return total


def count_chains(vertices: int, edges: int, num_ops: int) -> int:
    """Chains input → op → … → op → output with at least one op (a chain of k ops has k+1
    edges)."""
    longest = min(vertices - 2, edges - 1)
    return sum(num_ops ** k for k in range(1, longest + 1))


def enumerate_hashes(vertices: int, edges: int, labels: list[int],
                     inputs: int | None = None) -> set[str]:
    """NAS-Bench-101 hashes of every labelled full DAG (the official generator's set).

    `labels` are the hash labels of the allowed ops. Slow for the default space (about a
    million hashes); the count of the result equals `count_cells`."""
    out: set[str] = set()
    for n in range(2, vertices + 1):
        mats = full_dags(n, edges, inputs)
        if len(mats) == 0:
            continue
        for hidden in itertools.product(labels, repeat=n - 2):
            row = np.array([-1, *hidden, -2], dtype=np.int64)
            out.update(hash_many(mats, np.broadcast_to(row, (len(mats), n)), prune=False))
    return out


def _read_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _write_cache(path: Path, key: str, value: int) -> None:
    """Merge one entry into the cache file; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _read_cache(path)
        data[key] = value
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, sort_keys=True, indent=1))
        os.replace(tmp, path)
    except OSError:
        pass
