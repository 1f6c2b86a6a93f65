"""Speed of the cell space: building a `Cell`, `sample`, `flip` and `grow`.

Prints one line per figure: name, value, unit, and the baseline measured in the same run with
the ratio. The baseline is the previous implementation, kept below as `_BaselineCell` and
`_BaselineCellSpace` (labelled BASELINE): numpy per cell in `Cell(...)`, numpy rejection
sampling, one scalar draw per coin in `flip`, and `grow` building and hashing a candidate
child per attempt until one is valid and different.

Mutations are timed on the parents a regularized evolution (population 100, sample 25) really
mutates: a stream recorded once per setting on the default space with a stand-in fitness that,
like NAS-Bench-101 accuracy, favours larger cells (pruned vertices + edges, ties broken by the
hash), so parents saturate as they do in a real run. `grow_cold` mutates distinct random
samples instead (nothing to remember). Ours and the baseline alternate, best of `--repeats`,
each on a fresh space.

    python bench/bench_space.py [--count N] [--repeats R]
"""
from __future__ import annotations

import argparse
import sys
import time
from functools import cached_property
from typing import Callable

import numpy as np

from nasdsl import hashing
from nasdsl.ops import INPUT, OUTPUT, from_nasbench101
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

POPULATION, SAMPLE = 100, 25


# --- BASELINE: the previous implementation, kept verbatim for comparison ----------------------

class _BaselineCell(Cell):
    """BASELINE: the previous `Cell` construction, pruning and hash."""

    def __post_init__(self) -> None:
        matrix = tuple(tuple(int(x) for x in row) for row in np.asarray(self.matrix).tolist())
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "ops", tuple(from_nasbench101(op) for op in self.ops))
        if len(matrix) != len(self.ops) or any(len(row) != len(matrix) for row in matrix):
            raise ValueError("a cell's matrix must be square and match its ops")
        for i, row in enumerate(matrix):
            if any(x not in (0, 1) for x in row) or any(row[: i + 1]):
                raise ValueError("a cell's matrix must be 0/1 and strictly upper triangular")

    @cached_property
    def _pruned(self):
        rows = hashing.bitmask_rows(self.matrix)
        result = hashing.prune_rows(rows, len(rows))
        if result is None:
            return None
        _, kept = result
        if len(kept) == len(rows):
            return self.matrix, self.ops
        matrix = tuple(tuple(self.matrix[i][j] for j in kept) for i in kept)
        return matrix, tuple(self.ops[i] for i in kept)

    def pruned(self) -> "_BaselineCell":
        if self._pruned is None:
            raise ValueError("the cell's output is not reachable from its input")
        return _BaselineCell(*self._pruned)

    @cached_property
    def hash(self):
        if self._pruned is None:
            return None
        matrix, ops = self._pruned
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            return None
        try:
            return hashing.cell_rows_hash(matrix, ops)
        except ValueError:
            return None


class _BaselineCellSpace(CellSpace):
    """BASELINE: the previous `sample`, `flip`, `grow` and their validity check."""

    def invalid_reason(self, arch):
        if not isinstance(arch, Cell):
            return f"not a cell: {arch!r}"
        if arch.num_vertices < 2 or arch.ops[0] != INPUT or arch.ops[-1] != OUTPUT:
            return "a cell starts with 'input' and ends with 'output'"
        if arch._pruned is None:
            return "the output is not reachable from the input"
        matrix, ops = arch._pruned
        if len(ops) > self.vertices:
            return f"{len(ops)} vertices after pruning, the space allows {self.vertices}"
        edges = sum(map(sum, matrix))
        if edges > self.edges:
            return f"{edges} edges after pruning, the space allows {self.edges}"
        foreign = sorted({op for op in ops[1:-1] if op not in self.ops})
        if foreign:
            return f"ops {foreign} are not in the space's ops {list(self.ops)}"
        if self.topology == "chain":
            n = len(ops)
            if n < 3 or edges != n - 1 or any(matrix[i][i + 1] != 1 for i in range(n - 1)):
                return "the space allows only chains of layers"
        return None

    def sample(self, rng):
        v = self.vertices
        for _ in range(100_000):
            matrix = np.triu(rng.integers(0, 2, size=(v, v)), 1)
            hidden = rng.integers(0, len(self.ops), size=v - 2)
            cell = _BaselineCell(matrix, (INPUT, *(self.ops[i] for i in hidden), OUTPUT))
            if self.is_valid(cell):
                return cell
        raise RuntimeError("no valid cell")

    def flip(self, arch, rng, rate=1.0):
        base = arch  # the streams hold full-size cells: no padding
        v = self.vertices
        edge_p, op_p = rate / v, rate / max(v - 2, 1)
        for _ in range(100_000):
            matrix = [list(row) for row in base.matrix]
            ops = list(base.ops)
            for i in range(v - 1):
                for j in range(i + 1, v):
                    if rng.random() < edge_p:
                        matrix[i][j] = 1 - matrix[i][j]
            for i in range(1, v - 1):
                if rng.random() < op_p:
                    choices = [op for op in self.ops if op != ops[i]]
                    if choices:
                        ops[i] = choices[int(rng.integers(len(choices)))]
            child = _BaselineCell(tuple(map(tuple, matrix)), tuple(ops))
            if self.is_valid(child):
                return child
        return arch

    def grow(self, arch, rng, add_node=0.1, add_connection=0.1):
        if add_node <= 0 and add_connection <= 0:
            return arch
        for _ in range(200):
            r = rng.random()
            if r < add_node:
                child = self._add_node(arch, rng)
            elif r < add_node + add_connection:
                child = self._add_connection(arch, rng)
            else:
                continue
            if child is not None and self.is_valid(child) and child != arch:
                return child
        return arch

    def _add_node(self, arch, rng):
        cell = arch
        if cell.num_vertices >= self.vertices:
            if cell._pruned is None or len(cell._pruned[1]) >= self.vertices:
                return None
            cell = _BaselineCell(*cell._pruned)
        pairs = [(i, j) for i, row in enumerate(cell.matrix) for j, x in enumerate(row) if x]
        if not pairs:
            return None
        u, v = pairs[int(rng.integers(len(pairs)))]
        n = cell.num_vertices
        old = list(range(n))
        order = old[:v] + [None] + old[v:]
        matrix = [[0] * (n + 1) for _ in range(n + 1)]
        position = {o: k for k, o in enumerate(order) if o is not None}
        for i, j in pairs:
            if (i, j) != (u, v):
                matrix[position[i]][position[j]] = 1
        new = v
        matrix[position[u]][new] = 1
        matrix[new][position[v]] = 1
        op = self.ops[int(rng.integers(len(self.ops)))]
        ops = [cell.ops[o] if o is not None else op for o in order]
        return _BaselineCell(tuple(map(tuple, matrix)), tuple(ops))

    def _add_connection(self, arch, rng):
        n = arch.num_vertices
        free = [(i, j) for i in range(n) for j in range(i + 1, n) if not arch.matrix[i][j]]
        if not free:
            return None
        i, j = free[int(rng.integers(len(free)))]
        matrix = [list(row) for row in arch.matrix]
        matrix[i][j] = 1
        return _BaselineCell(tuple(map(tuple, matrix)), arch.ops)


# --- streams and timing ------------------------------------------------------------------------

def _fitness(cell: Cell) -> float:
    """Stand-in fitness: larger pruned cells are fitter, as in NAS-Bench-101; hash breaks ties."""
    pruned = cell.pruned()
    return pruned.num_vertices + pruned.num_edges + int(cell.hash[:6], 16) / 16 ** 6


def _evolution_parents(space: CellSpace, mutate: Callable, count: int, seed: int) -> list[Cell]:
    """The parents a regularized evolution mutates, in order (`count` of them)."""
    rng = np.random.default_rng(seed)
    members = [space.sample(rng) for _ in range(POPULATION)]
    fitness = [_fitness(c) for c in members]
    parents = []
    for step in range(count):
        drawn = rng.permutation(POPULATION)[:SAMPLE].tolist()
        parent = members[max(drawn, key=fitness.__getitem__)]
        parents.append(parent)
        child = mutate(space, parent, rng)
        members[step % POPULATION], fitness[step % POPULATION] = child, _fitness(child)
    return parents


def _as_baseline(cells: list[Cell]) -> list[Cell]:
    return [_BaselineCell(c.matrix, c.ops) for c in cells]


def _time(work: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    work()
    return count / (time.perf_counter() - start)


def _compare(name: str, unit: str, ours: Callable[[], object], baseline: Callable[[], object],
             count: int, repeats: int) -> None:
    best_ours = best_base = 0.0
    for _ in range(repeats):  # interleaved, best of each: the machine may be busy
        best_ours = max(best_ours, _time(ours, count))
        best_base = max(best_base, _time(baseline, count))
    print(f"{name} {best_ours:,.0f} {unit} | baseline_previous {best_base:,.0f} {unit} "
          f"ratio {best_ours / best_base:.2f}", flush=True)


def _mutations(space_type: type, cells: list[Cell], call: Callable) -> Callable[[], object]:
    def work() -> None:
        space, rng = space_type(), np.random.default_rng(7)
        for cell in cells:
            call(space, cell, rng)
    return work


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=3_000, help="operations per figure")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    n, repeats = args.count, args.repeats
    space = CellSpace()
    samples = [space.sample(np.random.default_rng(i)) for i in range(n)]

    specs = [(c.matrix, c.ops) for c in samples]
    _compare("cell_from_tuples", "cells/s", lambda: [Cell(m, o) for m, o in specs],
             lambda: [_BaselineCell(m, o) for m, o in specs], n, repeats)
    arrays = [(np.array(c.matrix), c.ops) for c in samples]
    _compare("cell_from_ndarray", "cells/s", lambda: [Cell(m, o) for m, o in arrays],
             lambda: [_BaselineCell(m, o) for m, o in arrays], n, repeats)

    def sampling(space_type: type) -> Callable[[], object]:
        return lambda: [s.sample(r) for s, r in [(space_type(), np.random.default_rng(3))]
                        for _ in range(n)]
    _compare("sample", "samples/s", sampling(CellSpace), sampling(_BaselineCellSpace),
             n, repeats)

    flip = lambda s, c, r: s.flip(c, r, 1.0)  # noqa: E731
    parents = _evolution_parents(space, flip, n, seed=1)
    _compare("flip_rate1_evolution", "mutations/s", _mutations(CellSpace, parents, flip),
             _mutations(_BaselineCellSpace, _as_baseline(parents), flip), n, repeats)

    for a, c in [(0.1, 0.1), (0.01, 0.01), (0.2, 0.2)]:
        grow = lambda s, x, r, a=a, c=c: s.grow(x, r, a, c)  # noqa: E731
        parents = _evolution_parents(CellSpace(), grow, n, seed=2)
        _compare(f"grow_{a}_{c}_evolution", "mutations/s", _mutations(CellSpace, parents, grow),
                 _mutations(_BaselineCellSpace, _as_baseline(parents), grow), n, repeats)

    grow = lambda s, x, r: s.grow(x, r, 0.1, 0.1)  # noqa: E731
    _compare("grow_0.1_0.1_cold", "mutations/s", _mutations(CellSpace, samples, grow),
             _mutations(_BaselineCellSpace, _as_baseline(samples), grow), n, repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
