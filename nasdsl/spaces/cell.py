"""The NAS-Bench-101 cell space: DAGs of at most `vertices` vertices and `edges` edges.

A `Cell` keeps the matrix as it was built (unpruned: mutations act on it, as NAS-Bench-101's
own `mutate_spec` acts on `original_matrix`), and is identified by the benchmark's hash of
the pruned spec, so isomorphic cells compare and hash equal. Validity is exactly the
benchmark's `is_valid`: the output is reachable from the input and the pruned spec has at
most `vertices` vertices, at most `edges` edges and only the space's ops.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from nasdsl import hashing
from nasdsl.descriptor import NeuralDescriptor
from nasdsl.ops import CELL_OPS, INPUT, OUTPUT, from_nasbench101
from nasdsl.spaces import enumeration
from nasdsl.spaces.base import Space

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, eq=False)
class Cell:
    """An immutable cell: upper-triangular 0/1 `matrix` and `.nas` `ops` ('input' first,
    'output' last). Equality and hashing follow the NAS-Bench-101 hash of the pruned spec;
    a cell that prunes to nothing compares by its matrix and ops."""

    matrix: Matrix
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        matrix = tuple(tuple(int(x) for x in row) for row in np.asarray(self.matrix).tolist())
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "ops", tuple(from_nasbench101(op) for op in self.ops))
        if len(matrix) != len(self.ops) or any(len(row) != len(matrix) for row in matrix):
            raise ValueError("a cell's matrix must be square and match its ops")
        for i, row in enumerate(matrix):
            if any(x not in (0, 1) for x in row) or any(row[: i + 1]):
                raise ValueError("a cell's matrix must be 0/1 and strictly upper triangular")

    @classmethod
    def from_nasbench(cls, matrix, ops: Sequence[str]) -> "Cell":
        """From a NAS-Bench-101 spec (benchmark op strings or `.nas` names)."""
        return cls(tuple(map(tuple, np.asarray(matrix).tolist())), tuple(ops))

    def to_nasbench(self) -> tuple[np.ndarray, list[str]]:
        """(matrix, ops) with the benchmark's op strings, unpruned."""
        from nasdsl.ops import NASBENCH101_OPS

        return (np.array(self.matrix, dtype=np.int8).reshape(len(self.ops), len(self.ops)),
                [NASBENCH101_OPS.get(op, op) for op in self.ops])

    @property
    def num_vertices(self) -> int:
        """Vertices of the matrix as stored (see `pruned()` for what is evaluated)."""
        return len(self.ops)

    @property
    def num_edges(self) -> int:
        """Edges of the matrix as stored (see `pruned()` for what is evaluated)."""
        return sum(map(sum, self.matrix))

    @cached_property
    def _pruned(self) -> tuple[Matrix, tuple[str, ...]] | None:
        rows = [sum(bit << j for j, bit in enumerate(row)) for row in self.matrix]
        result = hashing.prune_rows(rows, len(rows))
        if result is None:
            return None
        _, kept = result
        matrix = tuple(tuple(self.matrix[i][j] for j in kept) for i in kept)
        return matrix, tuple(self.ops[i] for i in kept)

    @property
    def is_connected(self) -> bool:
        """True when the output is reachable from the input."""
        return self._pruned is not None

    def pruned(self) -> "Cell":
        """The cell without vertices off every input→output path; ValueError if none."""
        if self._pruned is None:
            raise ValueError("the cell's output is not reachable from its input")
        return Cell(*self._pruned)

    @cached_property
    def hash(self) -> str | None:
        """NAS-Bench-101 module hash of the pruned spec (None when disconnected)."""
        if self._pruned is None:
            return None
        matrix, ops = self._pruned
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            return None
        rows = [sum(bit << j for j, bit in enumerate(row)) for row in matrix]
        try:
            return hashing.hash_rows(rows, [hashing.label_of(op) for op in ops])
        except ValueError:
            return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        if self.hash is not None or other.hash is not None:
            return self.hash == other.hash
        return (self.matrix, self.ops) == (other.matrix, other.ops)

    def __hash__(self) -> int:
        return hash(self.hash) if self.hash is not None else hash((self.matrix, self.ops))

    def __str__(self) -> str:
        return " ".join(self.ops) + " | " + " ".join(
            "".join(map(str, row)) for row in self.matrix)

    @classmethod
    def parse(cls, text: str) -> "Cell":
        """Inverse of `str(cell)`: 'input conv3x3 output | 011 001 000'."""
        try:
            ops_text, matrix_text = text.split("|")
            ops = tuple(ops_text.split())
            matrix = tuple(tuple(int(c) for c in row) for row in matrix_text.split())
            return cls(matrix, ops)
        except ValueError as exc:
            raise ValueError(f"not a cell: {text!r} ({exc})") from None


class CellSpace(Space):
    """NAS-Bench-101 cells; `topology='chain'` keeps only input → op → … → op → output."""

    kind = "cell"

    def __init__(self, vertices: int = 7, edges: int = 9,
                 ops: Sequence[str] = ("conv1x1", "conv3x3", "maxpool3x3"),
                 topology: str = "dag") -> None:
        self.vertices = int(vertices)
        self.edges = int(edges)
        self.ops = tuple(from_nasbench101(op) for op in ops)
        self.topology = topology
        if self.vertices < 2:
            raise ValueError("vertices must be at least 2 (input and output)")
        if self.edges < 1:
            raise ValueError("edges must be at least 1")
        if not self.ops or len(set(self.ops)) != len(self.ops):
            raise ValueError("ops must be a non-empty list without repeats")
        unknown = [op for op in self.ops if op not in CELL_OPS]
        if unknown:
            raise ValueError(f"unknown cell ops {unknown}; accepted: {list(CELL_OPS)}")
        if topology not in ("dag", "chain"):
            raise ValueError("topology must be 'dag' or 'chain'")
        if topology == "chain" and (self.vertices < 3 or self.edges < 2):
            raise ValueError("a chain needs at least 3 vertices and 2 edges")

    def __repr__(self) -> str:
        return (f"CellSpace(vertices={self.vertices}, edges={self.edges}, "
                f"ops={self.ops}, topology={self.topology!r})")

    # --- validity ------------------------------------------------------------------------------
    def invalid_reason(self, arch: Any) -> str | None:
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

    def is_valid(self, arch: Any) -> bool:
        return self.invalid_reason(arch) is None

    # --- sampling -------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Cell:
        """Chain: uniform over the chains. DAG: NAS-Bench-101's random search: a random
        upper-triangular 0/1 matrix (p = 0.5) and random ops, redrawn until valid."""
        if self.topology == "chain":
            return self._sample_chain(rng)
        v = self.vertices
        for _ in range(_MAX_TRIES):
            matrix = np.triu(rng.integers(0, 2, size=(v, v)), 1)
            hidden = rng.integers(0, len(self.ops), size=v - 2)
            cell = Cell(matrix, (INPUT, *(self.ops[i] for i in hidden), OUTPUT))
            if self.is_valid(cell):
                return cell
        raise RuntimeError(f"no valid cell found in {_MAX_TRIES} draws from {self!r}")

    def _sample_chain(self, rng: np.random.Generator) -> Cell:
        longest = min(self.vertices - 2, self.edges - 1)
        weights = np.array([len(self.ops) ** k for k in range(1, longest + 1)], dtype=float)
        k = 1 + int(rng.choice(longest, p=weights / weights.sum()))
        hidden = rng.integers(0, len(self.ops), size=k)
        return _chain((INPUT, *(self.ops[i] for i in hidden), OUTPUT))

    # --- mutations ------------------------------------------------------------------------------
    def flip(self, arch: Cell, rng: np.random.Generator, rate: float = 1.0) -> Cell:
        """NAS-Bench-101's `mutate_spec`: on the unpruned V×V matrix, flip each upper-triangle
        edge with probability rate/V and resample each hidden op (to a different op) with
        probability rate/(V-2); redraw until the child is valid. A smaller stored matrix is
        first padded to V vertices with unconnected vertices of random ops."""
        base = self._padded(arch, rng)
        v = self.vertices
        edge_p, op_p = rate / v, rate / max(v - 2, 1)
        for _ in range(_MAX_TRIES):
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
            child = Cell(tuple(map(tuple, matrix)), tuple(ops))
            if self.is_valid(child):
                return child
        return arch

    def grow(self, arch: Cell, rng: np.random.Generator,
             add_node: float = 0.1, add_connection: float = 0.1) -> Cell:
        """Growth mutations of the regularized-evolution study on NORD (Kyriakides and
        Margaritis), drawn as NORD's genome does: one uniform r; r < add_node inserts a
        layer, else r < add_node + add_connection adds a connection, else nothing happens.

        A new layer splits a random existing connection u→v, NEAT-style as in NORD: u→v is
        replaced by u→new→v, the new layer gets a random op and sits just before v in the
        vertex order. When the stored matrix is full, vertices that pruning drops make room
        first. A new connection joins two unconnected layers i < j (DAG order kept). Draws
        repeat (at most a bounded number of times) until the child is valid and differs from
        the parent; if that never happens the parent is returned."""
        if add_node <= 0 and add_connection <= 0:
            return arch
        for _ in range(_GROW_TRIES):
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

    def _add_node(self, arch: Cell, rng: np.random.Generator) -> Cell | None:
        cell = arch
        if cell.num_vertices >= self.vertices:
            if cell._pruned is None or len(cell._pruned[1]) >= self.vertices:
                return None
            cell = cell.pruned()
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
        return Cell(tuple(map(tuple, matrix)), tuple(ops))

    def _add_connection(self, arch: Cell, rng: np.random.Generator) -> Cell | None:
        n = arch.num_vertices
        free = [(i, j) for i in range(n) for j in range(i + 1, n) if not arch.matrix[i][j]]
        if not free:
            return None
        i, j = free[int(rng.integers(len(free)))]
        matrix = [list(row) for row in arch.matrix]
        matrix[i][j] = 1
        return Cell(tuple(map(tuple, matrix)), arch.ops)

    def _padded(self, arch: Cell, rng: np.random.Generator | None) -> Cell:
        """The same architecture on exactly `vertices` vertices (extra ones unconnected)."""
        if arch.num_vertices == self.vertices:
            return arch
        cell = arch if arch.num_vertices < self.vertices else arch.pruned()
        n, v = cell.num_vertices, self.vertices
        if n > v:
            raise ValueError(f"a cell of {n} vertices does not fit in {v}")
        spare = v - n
        fill = ([self.ops[int(rng.integers(len(self.ops)))] for _ in range(spare)]
                if rng is not None else [self.ops[0]] * spare)
        index = list(range(n - 1)) + [v - 1]
        matrix = [[0] * v for _ in range(v)]
        for i in range(n):
            for j in range(n):
                if cell.matrix[i][j]:
                    matrix[index[i]][index[j]] = 1
        ops = list(cell.ops[:-1]) + fill + [OUTPUT]
        return Cell(tuple(map(tuple, matrix)), tuple(ops))

    # --- vector encoding ------------------------------------------------------------------------
    @property
    def _pairs(self) -> list[tuple[int, int]]:
        v = self.vertices
        return [(i, j) for i in range(v - 1) for j in range(i + 1, v)]

    def encode(self, arch: Cell) -> np.ndarray:
        """(V-2) op indices, then the V(V-1)/2 upper-triangle edges row by row: 5 + 21 = 26
        positions for the default space, as in the original study."""
        cell = self._padded(arch, None)
        ops = [self.ops.index(op) if op in self.ops else 0 for op in cell.ops[1:-1]]
        edges = [cell.matrix[i][j] for i, j in self._pairs]
        return np.array(ops + edges, dtype=float)

    def decode(self, x: np.ndarray) -> Cell:
        lower, upper = self.bounds
        values = np.clip(np.rint(np.asarray(x, dtype=float)), lower, upper).astype(int)
        v = self.vertices
        hidden = [self.ops[i] for i in values[:v - 2]]
        matrix = [[0] * v for _ in range(v)]
        for (i, j), bit in zip(self._pairs, values[v - 2:]):
            matrix[i][j] = int(bit)
        return Cell(tuple(map(tuple, matrix)), (INPUT, *hidden, OUTPUT))

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        v = self.vertices
        upper = [len(self.ops) - 1] * (v - 2) + [1] * (v * (v - 1) // 2)
        return np.zeros(len(upper)), np.array(upper, dtype=float)

    @property
    def nix(self) -> int:
        return len(self.bounds[0])

    # --- identity -------------------------------------------------------------------------------
    def key(self, arch: Cell) -> str:
        """NAS-Bench-101 hash; a disconnected cell is keyed by its text form."""
        return arch.hash if arch.hash is not None else "invalid:" + str(arch)

    def canonical(self, arch: Cell) -> str:
        return str(arch)

    def parse(self, text: str) -> Cell:
        return Cell.parse(text)

    def size(self) -> int:
        if self.topology == "chain":
            return enumeration.count_chains(self.vertices, self.edges, len(self.ops))
        return enumeration.count_cells(self.vertices, self.edges, len(self.ops))

    def enumerate_hashes(self) -> set[str]:
        """Hashes of every architecture of the space (slow for large spaces)."""
        if self.topology == "chain":
            raise NotImplementedError("enumerate_hashes covers dag spaces")
        labels = [hashing.label_of(op) for op in self.ops]
        return enumeration.enumerate_hashes(self.vertices, self.edges, labels)

    # --- descriptors ----------------------------------------------------------------------------
    def to_descriptor(self, arch: Cell) -> NeuralDescriptor:
        """NORD descriptor of the pruned cell (of the stored one when disconnected)."""
        cell = arch.pruned() if arch.is_connected else arch
        return NeuralDescriptor.from_nasbench(*cell.to_nasbench())

    def from_descriptor(self, descriptor: Any) -> Cell:
        d = descriptor if isinstance(descriptor, NeuralDescriptor) \
            else NeuralDescriptor.from_nord(descriptor)
        return Cell.from_nasbench(*d.to_nasbench())


def _chain(ops: Sequence[str]) -> Cell:
    n = len(ops)
    matrix = tuple(tuple(1 if j == i + 1 else 0 for j in range(n)) for i in range(n))
    return Cell(matrix, tuple(ops))


_MAX_TRIES = 100_000
_GROW_TRIES = 200
