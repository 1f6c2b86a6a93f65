"""Random genuine NAS-Bench-101 cells for tests: pruned, at most 7 vertices and 9 edges,
hashed with the benchmark's algorithm, all distinct."""
from __future__ import annotations

import numpy as np

from nasdsl.hashing import prune, spec_hash

OPS = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]


def genuine_specs(count: int, seed: int = 0) -> list[tuple[str, list[list[int]], list[str]]]:
    """`count` distinct cells as (hash, matrix, ops), the same for the same seed."""
    rng = np.random.default_rng(seed)
    out: dict[str, tuple[str, list[list[int]], list[str]]] = {}
    while len(out) < count:
        n = int(rng.integers(3, 8))
        m = np.triu(rng.integers(0, 2, size=(n, n)), 1)
        ops = ["input"] + [OPS[i] for i in rng.integers(0, 3, size=n - 2)] + ["output"]
        pruned = prune(m, ops)
        if pruned is None or pruned[0].sum() > 9:
            continue
        h = spec_hash(*pruned)
        out.setdefault(h, (h, pruned[0].astype(int).tolist(), list(pruned[1])))
    return list(out.values())
