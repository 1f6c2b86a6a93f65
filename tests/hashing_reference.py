"""The official NAS-Bench-101 hashing and pruning written plainly, numpy per cell: slow, an
independent check of nasdsl's fast paths and the baseline of `bench/bench_hash.py`."""
from __future__ import annotations

from hashlib import md5 as _md5
from typing import Sequence

import numpy as np


def reference_module_hash(matrix, labels: Sequence[int]) -> str:
    """The official algorithm written plainly with numpy per cell: slow, kept as a baseline
    for benchmarks and as an independent check of the fast path."""
    matrix = np.asarray(matrix)
    vertices = matrix.shape[0]
    in_edges = np.sum(matrix, axis=0).tolist()
    out_edges = np.sum(matrix, axis=1).tolist()
    hashes = [_md5(str(t).encode("utf-8")).hexdigest()
              for t in zip(out_edges, in_edges, list(labels))]
    for _ in range(vertices):
        new_hashes = []
        for v in range(vertices):
            hin = [hashes[w] for w in range(vertices) if matrix[w, v]]
            hout = [hashes[w] for w in range(vertices) if matrix[v, w]]
            text = "".join(sorted(hin)) + "|" + "".join(sorted(hout)) + "|" + hashes[v]
            new_hashes.append(_md5(text.encode("utf-8")).hexdigest())
        hashes = new_hashes
    return _md5(str(sorted(hashes)).encode("utf-8")).hexdigest()


def reference_prune(matrix, labels: Sequence) -> tuple[np.ndarray, list] | None:
    """The official `ModelSpec._prune` written plainly (DFS over numpy), for the baseline."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    seen_in, stack = {0}, [0]
    while stack:
        top = stack.pop()
        for v in range(top + 1, n):
            if matrix[top, v] and v not in seen_in:
                seen_in.add(v)
                stack.append(v)
    seen_out, stack = {n - 1}, [n - 1]
    while stack:
        top = stack.pop()
        for v in range(0, top):
            if matrix[v, top] and v not in seen_out:
                seen_out.add(v)
                stack.append(v)
    extraneous = set(range(n)) - (seen_in & seen_out)
    if len(extraneous) > n - 2:
        return None
    drop = sorted(extraneous)
    pruned = np.delete(np.delete(matrix, drop, axis=0), drop, axis=1)
    return pruned, [x for i, x in enumerate(labels) if i not in extraneous]
