"""The NAS-Bench-101 cell space: DAGs of at most `vertices` vertices and `edges` edges.

Cells are `nasdsl.spaces.cell.Cell` values; the `grow` mutation is `nasdsl.spaces.grow`.
Validity is exactly the
benchmark's `is_valid`: the output is reachable from the input and the pruned spec has at
most `vertices` vertices, at most `edges` edges and only the space's ops.

Searches call `sample`, `grow` and `flip` once per evaluation, so these work on successor
bitmasks (one Python int per vertex) and build a `Cell` only for the architecture they
return; the distributions are those of the plain rejection loops the docstrings describe.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from nasdsl import hashing
from nasdsl.descriptor import NeuralDescriptor
from nasdsl.ops import CELL_OPS, INPUT, OUTPUT, from_nasbench101
from nasdsl.settings import IntType, ListType, NameType, Param
from nasdsl.spaces import enumeration
from nasdsl.spaces.base import Space
from nasdsl.spaces.cell import Cell, Pruning
from nasdsl.spaces.cell_environment import CellEnvironment
from nasdsl.spaces.grow import Grower
from nasdsl.spaces.study_grow import grow_once

MAX_VERTICES = 32
"""Cells larger than this are refused: no search of such cells would fit in memory."""
VERTICES = Param("vertices", IntType(2, MAX_VERTICES), 7,
                 "most vertices, input and output included")
ALL_EDGES = MAX_VERTICES * (MAX_VERTICES - 1) // 2
"""Every pair of vertices joined: the most edges a cell of `MAX_VERTICES` can have."""
EDGES = Param("edges", IntType(1, ALL_EDGES), 9, "most connections")
OPS = Param("ops", ListType(NameType(CELL_OPS, "op"), "list of ops"),
            ["conv1x1", "conv3x3", "maxpool3x3"], "operations a hidden vertex may take")
TOPOLOGY = Param("topology", NameType(("dag", "chain"), "topology"), "dag",
                 "dag: any DAG; chain: hidden layers in sequence")
INPUTS = Param("inputs", IntType(1, MAX_VERTICES - 1), None,
               "most inputs of any vertex, output included")


class CellSpace(Space):
    """NAS-Bench-101 cells; `topology='chain'` keeps only input → op → … → op → output,
    `inputs = N` only cells whose vertices (output included) have at most N inputs each."""

    kind = "cell"

    parameters = (VERTICES, EDGES, OPS, TOPOLOGY, INPUTS)

    def __init__(self, vertices: int = VERTICES.default, edges: int = EDGES.default,
                 ops: Sequence[str] = tuple(OPS.default),
                 topology: str = TOPOLOGY.default, inputs: int | None = INPUTS.default) -> None:
        self.vertices = int(vertices)
        self.edges = int(edges)
        self.ops = tuple(from_nasbench101(op) for op in ops)
        self.topology = topology
        self.inputs = None if inputs is None else int(inputs)
        if self.inputs is not None and self.inputs < 1:
            raise ValueError("inputs must be at least 1")
        if not 2 <= self.vertices <= MAX_VERTICES:
            raise ValueError(f"vertices must be in 2..{MAX_VERTICES} (input and output "
                             f"included), got {self.vertices}")
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
        self._op_set = frozenset(self.ops)
        self.grower = Grower(self)
        self._flip_thresholds: dict[float, np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its memos (worker processes refill their own)."""
        state = dict(self.__dict__)
        del state["grower"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.grower = Grower(self)

    def __repr__(self) -> str:
        inputs = "" if self.inputs is None else f", inputs={self.inputs}"
        return (f"CellSpace(vertices={self.vertices}, edges={self.edges}, "
                f"ops={self.ops}, topology={self.topology!r}{inputs})")

    # --- validity ------------------------------------------------------------------------------
    def invalid_reason(self, arch: Any) -> str | None:
        if not isinstance(arch, Cell):
            return f"not a cell: {arch!r}"
        if arch.num_vertices < 2 or arch.ops[0] != INPUT or arch.ops[-1] != OUTPUT:
            return "a cell starts with 'input' and ends with 'output'"
        if arch._pruning is None:
            return "the output is not reachable from the input"
        rows, kept = arch._pruning
        if len(kept) > self.vertices:
            return f"{len(kept)} vertices after pruning, the space allows {self.vertices}"
        edges = sum(map(int.bit_count, rows))
        if edges > self.edges:
            return f"{edges} edges after pruning, the space allows {self.edges}"
        foreign = sorted({arch.ops[v] for v in kept[1:-1] if arch.ops[v] not in self._op_set})
        if foreign:
            return f"ops {foreign} are not in the space's ops {list(self.ops)}"
        if self.topology == "chain" and not _is_chain(rows, edges):
            return "the space allows only chains of layers"
        if self.inputs is not None and _most_inputs(rows) > self.inputs:
            return (f"a vertex has {_most_inputs(rows)} inputs, the space allows "
                    f"{self.inputs}")
        return None

    def is_valid(self, arch: Any) -> bool:
        return self.invalid_reason(arch) is None

    def repair(self, arch: Any) -> Cell | None:
        """The nearest valid cell by greedy edge changes, ops kept (`cell_repair` states the
        rule); None for chain spaces and cells whose ops or size no edge change can fix."""
        if self.is_valid(arch):
            return arch
        if (self.topology != "dag" or not isinstance(arch, Cell) or arch.num_vertices < 2
                or arch.ops[0] != INPUT or arch.ops[-1] != OUTPUT
                or not self._op_set.issuperset(arch.ops[1:-1])):
            return None
        from nasdsl.spaces.cell_repair import repaired_rows

        rows = repaired_rows(arch._rows, self.edges)
        if rows is None:
            return None
        cell = Cell._trusted(rows, arch.ops)
        return cell if self.is_valid(cell) else None

    def fit(self, rows: Sequence[int], ops: Sequence[str]) -> Pruning | None:
        """The pruning of rows and ops when they make a cell of the space, else None:
        `is_valid` on bitmasks, without building a `Cell`."""
        n = len(rows)
        if n < 2 or ops[0] != INPUT or ops[-1] != OUTPUT:
            return None
        result = hashing.prune_rows(rows, n)
        if result is None:
            return None
        pruned, kept = result
        if len(kept) > self.vertices:
            return None
        edges = sum(map(int.bit_count, pruned))
        if edges > self.edges:
            return None
        allowed = self._op_set.__contains__
        if not all(map(allowed, ops[1:-1] if len(kept) == n else [ops[v] for v in kept[1:-1]])):
            return None
        if self.topology == "chain" and not _is_chain(pruned, edges):
            return None
        if self.inputs is not None and _most_inputs(pruned) > self.inputs:
            return None
        return result

    # --- sampling -------------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> Cell:
        """Chain: uniform over the chains. DAG: NAS-Bench-101's random search: a random
        upper-triangular 0/1 matrix (each of the V(V-1)/2 entries 1 with p = 0.5) and
        uniform random hidden ops, redrawn until valid.

        One draw: a uniform integer below 2^(V(V-1)/2) × |ops|^(V-2) whose low bits are the
        upper triangle, row by row, and whose high part, in base |ops|, the hidden ops."""
        if self.topology == "chain":
            return self._sample_chain(rng)
        plan = self._sample_plan
        fit, decode = self.fit, self._decode_draw
        for _ in range(_MAX_TRIES):
            rows, ops = decode(plan.draw(rng))
            pruning = fit(rows, ops)
            if pruning is not None:
                return Cell._trusted(rows, ops, pruning)
        raise RuntimeError(f"no valid cell found in {_MAX_TRIES} draws from {self!r}")

    @cached_property
    def _sample_plan(self) -> "_SamplePlan":
        v = self.vertices
        return _SamplePlan.build(v * (v - 1) // 2, len(self.ops), v - 2)

    @cached_property
    def _triangle(self) -> tuple[tuple[int, int, int], ...]:
        """Per row i < V-1: (offset of its entries in the packed triangle, their mask, i+1)."""
        v, offset, out = self.vertices, 0, []
        for i in range(v - 1):
            width = v - 1 - i
            out.append((offset, (1 << width) - 1, i + 1))
            offset += width
        return tuple(out)

    @cached_property
    def _hidden_ops(self) -> list[tuple[str, ...]] | None:
        """Ops tuple (input … output) of every hidden-op code, when there are few codes."""
        k, h = len(self.ops), self.vertices - 2
        if k ** h > _OPS_TABLE_LIMIT:
            return None
        return [(INPUT, *self._ops_of_code(code), OUTPUT) for code in range(k ** h)]

    def _ops_of_code(self, code: int) -> list[str]:
        k, out = len(self.ops), []
        for _ in range(self.vertices - 2):
            code, d = divmod(code, k)
            out.append(self.ops[d])
        return out

    def _decode_draw(self, x: int) -> tuple[list[int], tuple[str, ...]]:
        bits, code = x & self._sample_plan.bit_mask, x >> self._sample_plan.bit_count
        rows = [((bits >> off) & mask) << shift for off, mask, shift in self._triangle]
        rows.append(0)
        table = self._hidden_ops
        ops = table[code] if table is not None else (INPUT, *self._ops_of_code(code), OUTPUT)
        return rows, ops

    def _sample_chain(self, rng: np.random.Generator) -> Cell:
        longest = min(self.vertices - 2, self.edges - 1)
        weights = np.array([len(self.ops) ** k for k in range(1, longest + 1)], dtype=float)
        k = 1 + int(rng.choice(longest, p=weights / weights.sum()))
        hidden = rng.integers(0, len(self.ops), size=k)
        return _chain((INPUT, *(self.ops[i] for i in hidden), OUTPUT))

    # --- mutations ------------------------------------------------------------------------------
    def flip(self, arch: Cell, rng: np.random.Generator, rate: float = 1.0) -> Cell:
        """NAS-Bench-101's `mutate_spec`: on the unpruned V×V matrix, flip each upper-triangle
        edge with probability rate/V and resample each hidden op (to a different op, uniform)
        with probability rate/(V-2); redraw until the child is valid (it may equal the
        parent, as in the benchmark). A smaller stored matrix is first padded to V vertices
        with unconnected vertices of random ops.

        Each attempt is one vector of V(V-1)/2 + 2(V-2) uniforms: the edge coins, the op
        coins, and the picks of the new ops."""
        base = self._padded(arch, rng)
        v = self.vertices
        n_edges, n_hidden = v * (v - 1) // 2, v - 2
        thresholds = self._flip_thresholds.get(rate)
        if thresholds is None:
            if len(self._flip_thresholds) >= _MEMO_LIMIT:
                self._flip_thresholds.clear()
            thresholds = self._flip_thresholds[rate] = np.concatenate(
                [np.full(n_edges, rate / v), np.full(n_hidden, rate / max(v - 2, 1))])
        width = n_edges + n_hidden
        pairs, others, fit = self._flip_bits, self._other_ops, self.fit
        rows0, ops0 = base._rows, base.ops
        for _ in range(_MAX_TRIES):
            u = rng.random(width + n_hidden)
            rows, ops = list(rows0), ops0
            changed = np.flatnonzero(u[:width] < thresholds).tolist()
            for k in changed:
                if k < n_edges:
                    i, bit = pairs[k]
                    rows[i] ^= bit
                else:
                    h = k - n_edges + 1
                    choices = others.get(ops[h], self.ops)
                    if choices:
                        pick = choices[int(u[width + h - 1] * len(choices))]
                        ops = (*ops[:h], pick, *ops[h + 1:])
            pruning = fit(rows, ops)
            if pruning is not None:
                return Cell._trusted(rows, ops, pruning)
        return arch

    @cached_property
    def _flip_bits(self) -> tuple[tuple[int, int], ...]:
        """Upper-triangle entries row by row, as (row, bit)."""
        v = self.vertices
        return tuple((i, 1 << j) for i in range(v - 1) for j in range(i + 1, v))

    @cached_property
    def _other_ops(self) -> dict[str, tuple[str, ...]]:
        """Op -> the space's other ops, what a resampled op is drawn from."""
        return {op: tuple(o for o in self.ops if o != op) for op in self.ops}

    def grow(self, arch: Cell, rng: np.random.Generator,
             add_node: float = 0.1, add_connection: float = 0.1, redraw: bool = True) -> Cell:
        """Growth mutations of the regularized-evolution study on NORD (Kyriakides and
        Margaritis), drawn as NORD's genome does: one uniform r; r < add_node inserts a
        layer, else r < add_node + add_connection adds a connection, else nothing happens.

        A new layer splits a random existing connection u→v, NEAT-style as in NORD: u→v is
        replaced by u→new→v, the new layer gets a random op and sits just before v in the
        vertex order. When the stored matrix is full, vertices that pruning drops make room
        first. A new connection joins two unconnected layers i < j (DAG order kept).

        The child is a valid cell of the space that differs from the parent: the draw above
        is repeated until that holds, and the parent is returned only when no move gives such
        a child. That repetition is sampled in closed form: with p_kind the chance r picks a
        kind and f/m the share of its moves that are feasible, the kind is chosen with
        probability ∝ p_kind × f/m, then a uniform feasible move of it (two draws of `rng`).
        Feasible moves are found once per parent on bitmasks and remembered.

        `redraw=False` is the study's own loop instead (`study_grow.grow_once`): each rate
        an independent draw, a child may be a copy of its parent or outside the space."""
        if not redraw:
            return grow_once(self, arch, rng, add_node, add_connection)
        return self.grower.grow(arch, rng, add_node, add_connection)

    def _padded(self, arch: Cell, rng: np.random.Generator | None) -> Cell:
        """The same architecture on exactly `vertices` vertices (extra ones unconnected)."""
        if arch.num_vertices == self.vertices:
            return arch
        cell = arch if arch.num_vertices < self.vertices else arch.pruned()
        n, v = cell.num_vertices, self.vertices
        if n > v:
            raise ValueError(f"a cell of {n} vertices does not fit in {v}")
        spare = v - n
        fill = ([self.ops[i] for i in rng.integers(len(self.ops), size=spare).tolist()]
                if rng is not None else [self.ops[0]] * spare)
        # Old vertex i keeps its index, the output moves to the end: bit n-1 -> bit v-1.
        last, shift = 1 << (n - 1), v - n
        rows = [(r & ~last) | ((r & last) << shift) for r in cell._rows[:-1]]
        rows += [0] * spare + [0]
        return Cell._trusted(rows, (*cell.ops[:-1], *fill, OUTPUT))

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
        return np.array(ops + edges, dtype=np.int64)

    def decode(self, x: np.ndarray) -> Cell:
        lower, upper = self._bounds
        values = np.rint(np.asarray(x, dtype=float))
        np.maximum(values, lower, out=values)
        np.minimum(values, upper, out=values)
        values = values.astype(int).tolist()
        v, ops = self.vertices, self.ops
        rows = [0] * v
        for (i, bit), on in zip(self._flip_bits, values[v - 2:]):
            if on:
                rows[i] |= bit
        return Cell._trusted(rows, (INPUT, *[ops[i] for i in values[:v - 2]], OUTPUT))

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lower, upper = self._bounds
        return lower.copy(), upper.copy()

    @cached_property
    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The bounds, built once: vector searches decode once per evaluation."""
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
        """Exact count; NotImplementedError for a dag space of more than 7 vertices, whose
        count would need every DAG enumerated."""
        if self.topology == "chain":
            return enumeration.count_chains(self.vertices, self.edges, len(self.ops))
        return enumeration.count_cells(self.vertices, self.edges, len(self.ops),
                                       inputs=self.inputs)

    def enumerate_hashes(self) -> set[str]:
        """Hashes of every architecture of the space (slow for large spaces)."""
        if self.topology == "chain":
            raise NotImplementedError("enumerate_hashes covers dag spaces")
        labels = [hashing.label_of(op) for op in self.ops]
        return enumeration.enumerate_hashes(self.vertices, self.edges, labels,
                                            inputs=self.inputs)

    # --- descriptors ----------------------------------------------------------------------------
    def environment(self) -> CellEnvironment:
        """Cells built vertex by vertex (`nasdsl.spaces.cell_environment`)."""
        return CellEnvironment(self)

    def to_descriptor(self, arch: Cell) -> NeuralDescriptor:
        """NORD descriptor of the pruned cell (of the stored one when disconnected)."""
        cell = arch.pruned() if arch.is_connected else arch
        return NeuralDescriptor.from_nasbench(*cell.to_nasbench())

    def from_descriptor(self, descriptor: Any) -> Cell:
        d = descriptor if isinstance(descriptor, NeuralDescriptor) \
            else NeuralDescriptor.from_nord(descriptor)
        return Cell.from_nasbench(*d.to_nasbench())


@dataclass(frozen=True)
class _SamplePlan:
    """How one uniform integer below 2^bit_count × ops^hidden is drawn: numpy draws at most
    int64-sized integers, so large spaces draw several chunks and combine them."""

    bit_count: int
    bit_mask: int
    chunks: tuple[int, ...]
    """Exclusive upper bound of each chunk, least significant first; their product is the
    whole range."""

    @classmethod
    def build(cls, bit_count: int, ops: int, hidden: int) -> "_SamplePlan":
        factors = [2] * bit_count + [ops] * hidden
        chunks, current = [], 1
        for f in factors:
            if current * f >= _CHUNK_LIMIT:
                chunks.append(current)
                current = 1
            current *= f
        chunks.append(current)
        return cls(bit_count, (1 << bit_count) - 1, tuple(chunks))

    def draw(self, rng: np.random.Generator) -> int:
        if len(self.chunks) == 1:
            return int(rng.integers(self.chunks[0]))
        x, scale = 0, 1
        for high, value in zip(self.chunks, rng.integers(0, self.chunks).tolist()):
            x += value * scale
            scale *= high
        return x


def _is_chain(rows: Sequence[int], edges: int) -> bool:
    """Pruned rows that are exactly input → op → … → op → output."""
    n = len(rows)
    return n >= 3 and edges == n - 1 and all(rows[i] >> (i + 1) & 1 for i in range(n - 1))


def _most_inputs(rows: Sequence[int]) -> int:
    """The largest in-degree of successor bitmasks `rows`."""
    return max((sum(r >> j & 1 for r in rows) for j in range(len(rows))), default=0)


def _chain(ops: Sequence[str]) -> Cell:
    n = len(ops)
    return Cell._trusted([1 << (i + 1) for i in range(n - 1)] + [0], tuple(ops))


_MAX_TRIES = 100_000
_OPS_TABLE_LIMIT = 1 << 12
_MEMO_LIMIT = 1 << 14
"""Rates whose flip thresholds are kept."""
_CHUNK_LIMIT = 1 << 62
