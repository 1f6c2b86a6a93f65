"""NAS-Bench-101 prune + hash throughput, against a plain port of the official code, and the
time to count the default cell space (cold and cached).

Prints one line per figure: name, value, unit, baseline, ratio. Uses the shared benchmark
table when present ($NASDSL_SHARED_DATA or ../shared/data), else random valid specs.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nasdsl import hashing
from nasdsl.spaces import enumeration

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NASDSL_SHARED_DATA", ROOT.parent / "shared" / "data"))
BASELINE_CELLS = 5_000


def _specs() -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    table = SHARED / "nasbench101" / "nb101_test_r0.npz"
    if table.exists():
        with np.load(table) as z:
            return z["adjacency"], z["ops"], z["num_vertices"], "table"
    rng = np.random.default_rng(0)
    mats, labels = [], []
    while len(mats) < 100_000:
        m = np.triu(rng.integers(0, 2, (7, 7)), 1)
        lab = [-1, *rng.integers(0, 3, 5).tolist(), -2]
        if hashing.prune(m, lab) is not None:
            mats.append(m)
            labels.append(lab)
    return np.array(mats), np.array(labels), np.full(len(mats), 7), "random"


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _line(name: str, value: float, unit: str, baseline: float | None = None,
          higher_is_better: bool = True) -> None:
    if baseline is None:
        print(f"{name}, {value:.1f}, {unit}, -, -")
        return
    ratio = value / baseline if higher_is_better else baseline / value
    print(f"{name}, {value:.1f}, {unit}, {baseline:.1f}, {ratio:.2f}x")


def main() -> int:
    adjacency, labels, sizes, source = _specs()
    n_all = len(sizes)
    cells = [(adjacency[i, :n, :n], labels[i, :n].tolist())
             for i, n in enumerate(sizes[:BASELINE_CELLS].tolist())]

    start = time.perf_counter()
    for m, lab in cells:
        hashing.reference_module_hash(*hashing.reference_prune(m, lab))
    base_prune_hash = _rate(len(cells), time.perf_counter() - start)
    start = time.perf_counter()
    for m, lab in cells:
        hashing.reference_module_hash(m, lab)
    base_hash = _rate(len(cells), time.perf_counter() - start)

    start = time.perf_counter()
    hashing.hash_many(adjacency, labels, sizes)
    batch_prune_hash = _rate(n_all, time.perf_counter() - start)
    start = time.perf_counter()
    hashing.hash_many(adjacency, labels, sizes, prune=False)
    batch_hash = _rate(n_all, time.perf_counter() - start)
    start = time.perf_counter()
    for m, lab in cells:
        hashing.spec_hash(m, ["input", *(["conv3x3"] * (len(lab) - 2)), "output"])
    single = _rate(len(cells), time.perf_counter() - start)

    print(f"# specs: {source}, {n_all} cells (baseline on the first {len(cells)})")
    _line("prune+hash hash_many", batch_prune_hash, "cells/s", base_prune_hash)
    _line("hash only hash_many", batch_hash, "cells/s", base_hash)
    _line("prune+hash spec_hash (one at a time)", single, "cells/s", base_prune_hash)

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["NASDSL_DATA"] = tmp
        start = time.perf_counter()
        total = enumeration.count_cells(7, 9, 3)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        enumeration.count_cells(7, 9, 3)
        cached = time.perf_counter() - start
    assert total == 423_624
    _line("size() default cell space, cold", cold * 1000, "ms")
    _line("size() default cell space, cached", cached * 1000, "ms", cold * 1000,
          higher_is_better=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
