"""NAS-Bench-101 prune + hash throughput, against a plain port of the official code, and the
time to count the default cell space (cold and cached).

Single-cell figures hash one spec per call, as a search does: all-distinct benchmark specs
(no repeats, so only the per-shape plans and first-round memo help), and the stream of
children that regularized evolution produces with the `flip` (NAS-Bench-101) and `grow`
(NORD) mutations, where children often repeat earlier cells. Memos are emptied before each
timed figure. The baseline is the plain port of the official `ModelSpec` prune and
`hash_module` (numpy per cell), timed on the same specs in the same run.

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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from hashing_reference import reference_module_hash, reference_prune  # noqa: E402
from nasdsl.ops import NASBENCH101_OPS
from nasdsl.spaces import enumeration
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NASDSL_SHARED_DATA", ROOT.parent / "shared" / "data"))
BASELINE_CELLS = 5_000
SINGLE_CELLS = 100_000
STREAM_CHILDREN = 50_000
POPULATION, SAMPLE = 100, 25
_OP_NAMES = ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]

Spec = tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]


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


def _evolution_stream(mutation: str, children: int, seed: int = 0) -> list[Spec]:
    """Specs (unpruned matrix, ops) of the random population then of every child, in the
    order regularized evolution (population 100, sample 25) makes them. Fitness is a fixed
    pseudo-random function of the cell's hash: selection pressure without the table."""
    space = CellSpace()
    rng = np.random.default_rng(seed)
    population = [space.sample(rng) for _ in range(POPULATION)]
    fitness = [_fitness(c) for c in population]
    stream = [(c.matrix, c.ops) for c in population]
    head = 0
    for _ in range(children):
        picks = rng.choice(POPULATION, SAMPLE, replace=False)
        parent = population[max(picks.tolist(), key=fitness.__getitem__)]
        child = (space.flip(parent, rng) if mutation == "flip"
                 else space.grow(parent, rng, add_node=0.1, add_connection=0.1))
        stream.append((child.matrix, child.ops))
        population[head], fitness[head] = child, _fitness(child)
        head = (head + 1) % POPULATION
    return stream


def _fitness(cell: Cell) -> float:
    return int(cell.hash[:8], 16) if cell.hash is not None else -1.0


def _time_specs(specs: list[tuple[np.ndarray, list[str]]]) -> float:
    hashing.HASHER.clear()
    start = time.perf_counter()
    for matrix, ops in specs:
        hashing.spec_hash(matrix, ops)
    return _rate(len(specs), time.perf_counter() - start)


def _time_cells(stream: list[Spec]) -> float:
    """`Cell.hash` (prune, then hash) of freshly built cells; building them is not timed."""
    cells = [Cell(matrix, ops) for matrix, ops in stream]
    hashing.HASHER.clear()
    start = time.perf_counter()
    for cell in cells:
        cell.hash  # noqa: B018 - computing the property is what is timed
    return _rate(len(cells), time.perf_counter() - start)


def _time_reference(specs) -> float:
    start = time.perf_counter()
    for matrix, ops in specs:
        labels = [hashing.label_of(op) for op in ops]
        reference_module_hash(*reference_prune(matrix, labels))
    return _rate(len(specs), time.perf_counter() - start)


def main() -> int:
    adjacency, labels, sizes, source = _specs()
    n_all = len(sizes)
    cells = [(adjacency[i, :n, :n], labels[i, :n].tolist())
             for i, n in enumerate(sizes[:BASELINE_CELLS].tolist())]

    start = time.perf_counter()
    for m, lab in cells:
        reference_module_hash(*reference_prune(m, lab))
    base_prune_hash = _rate(len(cells), time.perf_counter() - start)
    start = time.perf_counter()
    for m, lab in cells:
        reference_module_hash(m, lab)
    base_hash = _rate(len(cells), time.perf_counter() - start)

    start = time.perf_counter()
    hashing.hash_many(adjacency, labels, sizes)
    batch_prune_hash = _rate(n_all, time.perf_counter() - start)
    start = time.perf_counter()
    hashing.hash_many(adjacency, labels, sizes, prune=False)
    batch_hash = _rate(n_all, time.perf_counter() - start)

    print(f"# specs: {source}, {n_all} cells (baseline on the first {len(cells)})")
    _line("prune+hash hash_many", batch_prune_hash, "cells/s", base_prune_hash)
    _line("hash only hash_many", batch_hash, "cells/s", base_hash)

    # Distinct specs, one call each, in a shuffled order (no two calls share a spec).
    order = np.random.default_rng(0).permutation(n_all)[:SINGLE_CELLS].tolist()
    distinct = [(adjacency[i, :sizes[i], :sizes[i]],
                 ["input", *(_OP_NAMES[k] for k in labels[i, 1:sizes[i] - 1]), "output"])
                for i in order]
    base_distinct = _time_reference(distinct[:BASELINE_CELLS])
    _line("prune+hash spec_hash, distinct specs", _time_specs(distinct), "cells/s",
          base_distinct)
    distinct_cells = [(tuple(map(tuple, m.tolist())), tuple(ops)) for m, ops in distinct]
    _line("prune+hash Cell.hash, distinct cells", _time_cells(distinct_cells), "cells/s",
          base_distinct)

    for mutation in ("flip", "grow"):
        stream = _evolution_stream(mutation, STREAM_CHILDREN)
        repeats = 1 - len(set(stream)) / len(stream)
        as_specs = [(np.array(m), [NASBENCH101_OPS.get(op, op) for op in ops])
                    for m, ops in stream]
        base = _time_reference(as_specs[:BASELINE_CELLS])
        print(f"# evolution stream, {mutation}: {len(stream)} specs, "
              f"{repeats:.1%} repeat an earlier spec")
        _line(f"prune+hash spec_hash, {mutation} stream", _time_specs(as_specs), "cells/s",
              base)
        _line(f"prune+hash Cell.hash, {mutation} stream", _time_cells(stream), "cells/s", base)

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
