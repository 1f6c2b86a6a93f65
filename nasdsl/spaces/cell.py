"""The NAS-Bench-101 cell space: DAGs of at most `vertices` vertices and `edges` edges.

A `Cell` keeps the matrix as it was built (unpruned: mutations act on it, as NAS-Bench-101's
own `mutate_spec` acts on `original_matrix`), and is identified by the benchmark's hash of
the pruned spec, so isomorphic cells compare and hash equal. Validity is exactly the
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

Matrix = tuple[tuple[int, ...], ...]
Rows = tuple[int, ...]
Pruning = tuple[list[int], list[int]]
"""`hashing.prune_rows`: the pruned successor bitmasks and the kept vertex indices."""


@dataclass(frozen=True, eq=False)
class Cell:
    """An immutable cell: upper-triangular 0/1 `matrix` and `.nas` `ops` ('input' first,
    'output' last). Equality and hashing follow the NAS-Bench-101 hash of the pruned spec;
    a cell that prunes to nothing compares by its matrix and ops.

    Any square 0/1 matrix is accepted (tuples, lists, a numpy array); tuples of int tuples
    are checked in plain Python, since searches build one cell per evaluation."""

    matrix: Matrix
    ops: tuple[str, ...]

    def __post_init__(self) -> None:
        matrix, rows = _normalized_matrix(self.matrix)
        ops = _normalized_ops(self.ops)
        if len(matrix) != len(ops):
            raise ValueError("a cell's matrix must be square and match its ops")
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "ops", ops)
        self.__dict__["_rows"] = rows

    @classmethod
    def _trusted(cls, rows: Sequence[int], ops: tuple[str, ...],
                 pruning: Pruning | None = None) -> "Cell":
        """A cell from successor bitmasks and normalized ops, unchecked: for the space's own
        mutations and samples, whose rows are upper triangular by construction. `pruning`,
        when the caller has it, is `hashing.prune_rows` of the rows."""
        cell = object.__new__(cls)
        n = len(rows)
        state = cell.__dict__
        state["matrix"] = tuple([_row_tuple(r, n) for r in rows])
        state["ops"] = ops
        state["_rows"] = tuple(rows)
        if pruning is not None:
            state["_pruning"] = pruning
        return cell

    @classmethod
    def from_nasbench(cls, matrix, ops: Sequence[str]) -> "Cell":
        """From a NAS-Bench-101 spec (benchmark op strings or `.nas` names)."""
        return cls(matrix, tuple(ops))

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
        return sum(map(int.bit_count, self._rows))

    @cached_property
    def _rows(self) -> Rows:
        """Successor bitmask per vertex (bit j of entry i set when i→j)."""
        return tuple(hashing.bitmask_rows(self.matrix))

    @cached_property
    def _pruning(self) -> Pruning | None:
        """(pruned successor bitmasks, kept vertex indices), None when disconnected."""
        return hashing.prune_rows(self._rows, len(self._rows))

    @cached_property
    def _pruned(self) -> tuple[Matrix, tuple[str, ...]] | None:
        if self._pruning is None:
            return None
        _, kept = self._pruning
        if len(kept) == len(self.ops):  # the common case: every vertex is on a path
            return self.matrix, self.ops
        matrix = tuple(tuple(self.matrix[i][j] for j in kept) for i in kept)
        return matrix, tuple(self.ops[i] for i in kept)

    @property
    def is_connected(self) -> bool:
        """True when the output is reachable from the input."""
        return self._pruning is not None

    def pruned(self) -> "Cell":
        """The cell without vertices off every input→output path; ValueError if none."""
        if self._pruning is None:
            raise ValueError("the cell's output is not reachable from its input")
        rows, kept = self._pruning
        if len(kept) == len(self.ops):
            return self
        return Cell._trusted(rows, tuple(self.ops[i] for i in kept))

    @cached_property
    def hash(self) -> str | None:
        """NAS-Bench-101 module hash of the pruned spec (None when disconnected)."""
        if self._pruning is None:
            return None
        rows, kept = self._pruning
        ops = self.ops
        if ops[0] != INPUT or ops[-1] != OUTPUT:
            return None
        try:
            labels = hashing.labels_of(ops if len(kept) == len(ops) else [ops[i] for i in kept])
            return hashing.hash_rows(rows, labels)
        except ValueError:
            return None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled as matrix and ops only: what is derived from them is rebuilt on use."""
        return {"matrix": self.matrix, "ops": self.ops}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        if self.hash is not None or other.hash is not None:
            return self.hash == other.hash
        return (self.matrix, self.ops) == (other.matrix, other.ops)

    def __hash__(self) -> int:
        return hash(self.hash) if self.hash is not None else hash((self.matrix, self.ops))

    def __str__(self) -> str:
        return self._text

    @cached_property
    def _text(self) -> str:
        """`str(cell)`, kept: the journal writes it once per evaluation."""
        n = len(self._rows)
        return " ".join(self.ops) + " | " + " ".join([_row_text(r, n) for r in self._rows])

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


# --- plain-Python normalization of what `Cell(...)` is given -----------------------------------

_MEMO_LIMIT = 1 << 14
"""Entries per memo below (a few MB at most); a full memo is emptied and refills."""

_ROW_FORMS: dict[tuple, tuple[tuple[int, ...], int]] = {}
"""A matrix row as given -> (the row as a tuple of int 0/1, its successor bitmask)."""
_OP_FORMS: dict[tuple, tuple[str, ...]] = {}
"""Ops as given -> `.nas` names."""
_ROW_TUPLES: dict[tuple[int, int], tuple[int, ...]] = {}
"""(successor bitmask, vertices) -> the matrix row as a tuple of 0/1."""
_ROW_TEXTS: dict[tuple[int, int], str] = {}
"""(successor bitmask, vertices) -> the matrix row as text."""


def _row_form(row: tuple) -> tuple[tuple[int, ...], int]:
    form = _ROW_FORMS.get(row)
    if form is None:
        values = tuple(int(x) for x in row)
        if any(x not in (0, 1) for x in values):
            raise ValueError("a cell's matrix must be 0/1 and strictly upper triangular")
        if len(_ROW_FORMS) >= _MEMO_LIMIT:
            _ROW_FORMS.clear()
        form = _ROW_FORMS[row] = (values, sum(1 << j for j, x in enumerate(values) if x))
    return form


def _normalized_matrix(matrix: Any) -> tuple[Matrix, Rows]:
    """The matrix as int tuples and its successor bitmasks; ValueError unless it is square,
    0/1 and strictly upper triangular. numpy is used only when given an array."""
    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise ValueError("a cell's matrix must be square and match its ops")
        matrix = matrix.tolist()
    try:
        forms = [_row_form(row if type(row) is tuple else tuple(row)) for row in matrix]
    except TypeError:
        raise ValueError("a cell's matrix must be a square 0/1 matrix") from None
    n = len(forms)
    rows = tuple(bits for _, bits in forms)
    for i, (values, bits) in enumerate(forms):
        if len(values) != n:
            raise ValueError("a cell's matrix must be square and match its ops")
        if bits & ((2 << i) - 1):
            raise ValueError("a cell's matrix must be 0/1 and strictly upper triangular")
    return tuple(values for values, _ in forms), rows


def _normalized_ops(ops: Sequence[str]) -> tuple[str, ...]:
    key = ops if type(ops) is tuple else tuple(ops)
    form = _OP_FORMS.get(key)
    if form is None:
        form = tuple(from_nasbench101(op) for op in key)
        if len(_OP_FORMS) >= _MEMO_LIMIT:
            _OP_FORMS.clear()
        _OP_FORMS[key] = form
    return form


def _row_text(bits: int, n: int) -> str:
    """A matrix row as `str(cell)` writes it: '0110…', entry 0 first."""
    text = _ROW_TEXTS.get((bits, n))
    if text is None:
        if len(_ROW_TEXTS) >= _MEMO_LIMIT:
            _ROW_TEXTS.clear()
        text = _ROW_TEXTS[bits, n] = "".join(str((bits >> j) & 1) for j in range(n))
    return text


def _row_tuple(bits: int, n: int) -> tuple[int, ...]:
    row = _ROW_TUPLES.get((bits, n))
    if row is None:
        if len(_ROW_TUPLES) >= _MEMO_LIMIT:
            _ROW_TUPLES.clear()
        row = _ROW_TUPLES[bits, n] = tuple((bits >> j) & 1 for j in range(n))
    return row


# --- growth moves of one parent ------------------------------------------------------------------

@dataclass(frozen=True)
class _GrowMoves:
    """Every `grow` move of one parent, and which of them give a valid, different child.

    A layer move is (connection of `base`, op): `base` is the parent, or the parent pruned
    when its stored matrix is full. Feasibility of a layer move does not depend on its op,
    so `splits` lists the feasible connections and each stands for `len(ops)` moves."""

    base_rows: Rows
    base_ops: tuple[str, ...]
    connections: int
    """Connections of `base`: the layer moves are connections × ops."""
    splits: tuple[tuple[int, int], ...]
    free_pairs: int
    """Unconnected pairs i < j of the parent: its connection moves."""
    links: tuple[tuple[int, int], ...]
    children: dict[tuple[int, int, int], Cell]
    """Children already built, by (u, v, op index), op -1 for a new connection u→v: a
    parent is often mutated again."""


def _split_rows(rows: Rows, u: int, v: int) -> list[int]:
    """Rows after replacing u→v by u→new→v, the new vertex placed just before v."""
    low = (1 << v) - 1
    new = [(r & low) | ((r >> v) << (v + 1)) for r in rows]
    new.insert(v, 1 << (v + 1))
    new[u] = (new[u] & ~(1 << (v + 1))) | (1 << v)
    return new


VERTICES = Param("vertices", IntType(2), 7, "most vertices, input and output included")
EDGES = Param("edges", IntType(1), 9, "most connections")
OPS = Param("ops", ListType(NameType(CELL_OPS, "op"), "list of ops"),
            ["conv1x1", "conv3x3", "maxpool3x3"], "operations a hidden vertex may take")
TOPOLOGY = Param("topology", NameType(("dag", "chain"), "topology"), "dag",
                 "dag: any DAG; chain: hidden layers in sequence")


class CellSpace(Space):
    """NAS-Bench-101 cells; `topology='chain'` keeps only input → op → … → op → output."""

    kind = "cell"

    parameters = (VERTICES, EDGES, OPS, TOPOLOGY)

    def __init__(self, vertices: int = VERTICES.default, edges: int = EDGES.default,
                 ops: Sequence[str] = tuple(OPS.default),
                 topology: str = TOPOLOGY.default) -> None:
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
        self._op_set = frozenset(self.ops)
        self._grow_memo: dict[tuple[Matrix, tuple[str, ...]], _GrowMoves] = {}
        self._flip_thresholds: dict[float, np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without its memos (worker processes refill their own)."""
        state = dict(self.__dict__)
        state["_grow_memo"] = {}
        return state

    def __repr__(self) -> str:
        return (f"CellSpace(vertices={self.vertices}, edges={self.edges}, "
                f"ops={self.ops}, topology={self.topology!r})")

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
        return None

    def is_valid(self, arch: Any) -> bool:
        return self.invalid_reason(arch) is None

    def _fit(self, rows: Sequence[int], ops: Sequence[str]) -> Pruning | None:
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
        fit, decode = self._fit, self._decode_draw
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
        pairs, others, fit = self._flip_bits, self._other_ops, self._fit
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
             add_node: float = 0.1, add_connection: float = 0.1) -> Cell:
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
        Feasible moves are found once per parent on bitmasks and remembered."""
        if add_node <= 0 and add_connection <= 0:
            return arch
        p_node = min(max(add_node, 0.0), 1.0)
        p_link = max(min(max(add_node + add_connection, 0.0), 1.0) - p_node, 0.0)
        moves = self._grow_moves(arch)
        k = len(self.ops)
        w_node = p_node * len(moves.splits) / moves.connections if moves.splits else 0.0
        w_link = p_link * len(moves.links) / moves.free_pairs if moves.links else 0.0
        total = w_node + w_link
        if total <= 0.0:
            return arch
        kind = 0 if rng.random() * total < w_node else 1
        pick = rng.random()
        if kind == 0:
            index = min(int(pick * len(moves.splits) * k), len(moves.splits) * k - 1)
            (u, v), op = moves.splits[index // k], index % k
            key = (u, v, op)
        else:
            index = min(int(pick * len(moves.links)), len(moves.links) - 1)
            u, v = moves.links[index]
            key = (u, v, -1)
        child = moves.children.get(key)
        if child is None:
            if kind == 0:
                child = Cell._trusted(_split_rows(moves.base_rows, u, v),
                                      (*moves.base_ops[:v], self.ops[op], *moves.base_ops[v:]))
            else:
                rows = list(arch._rows)
                rows[u] |= 1 << v
                child = Cell._trusted(rows, arch.ops)
            moves.children[key] = child
        return child

    def _grow_moves(self, arch: Cell) -> _GrowMoves:
        key = (arch.matrix, arch.ops)
        moves = self._grow_memo.get(key)
        if moves is None:
            if len(self._grow_memo) >= _GROW_MEMO_LIMIT:
                self._grow_memo.clear()
            moves = self._grow_memo[key] = self._find_grow_moves(arch)
        return moves

    def _find_grow_moves(self, arch: Cell) -> _GrowMoves:
        """Enumerate the parent's moves and keep those giving a valid, different child.

        A move off every input→output path (a layer on a connection u→v, or a connection
        i→j, where the input does not reach u or i, or v or j does not reach the output)
        leaves the pruned graph as it was: the child is the parent again, or as invalid as
        it. A move on a path adds a vertex or an edge to the pruned graph, so the child
        differs from the parent exactly when its pruned (vertices, edges) differ, and no
        hash is needed. Moves that would exceed the space's limits are skipped unbuilt."""
        rows, ops, n = arch._rows, arch.ops, arch.num_vertices
        size: tuple[int, int] | None = None  # a parent without a hash: any valid child is new
        room_vertex = room_edge = True
        if arch._pruning is not None and arch.hash is not None:
            size = _size(arch._pruning)
            room_vertex, room_edge = size[0] < self.vertices, size[1] < self.edges
        fit = self._fit

        def new(child_rows: Sequence[int], child_ops: Sequence[str]) -> bool:
            got = fit(child_rows, child_ops)
            return got is not None and _size(got) != size

        base_rows, base_ops = rows, ops
        connections: list[tuple[int, int]] = []
        if n < self.vertices or (arch._pruning is not None
                                 and len(arch._pruning[1]) < self.vertices):
            if n >= self.vertices:
                base_rows, base_ops = tuple(arch._pruning[0]), tuple(ops[i] for i in
                                                                        arch._pruning[1])
            connections = [(i, j) for i, r in enumerate(base_rows)
                           for j in range(i + 1, len(base_rows)) if r >> j & 1]
        splits: tuple[tuple[int, int], ...] = ()
        if connections and room_vertex and room_edge:
            forward, backward = hashing.reach(base_rows)
            on_path = [(u, v) for u, v in connections if forward >> u & 1 and backward >> v & 1]
            if self.topology == "dag":
                # A layer on a path subdivides a connection of the pruned graph: one vertex
                # and one edge more, the same ops plus one of the space's. So the child is
                # valid exactly when the parent is (with room for both).
                splits = tuple(on_path) if size is not None and self.is_valid(arch) else ()
            else:  # a bare input→output is no chain, but a layer makes it one
                probe = self.ops[0]  # a layer's op is one of the space's: one stands for all
                splits = tuple((u, v) for u, v in on_path
                               if new(_split_rows(base_rows, u, v),
                                      (*base_ops[:v], probe, *base_ops[v:])))
        free = [(i, j) for i in range(n) for j in range(i + 1, n) if not rows[i] >> j & 1]
        links = []
        if room_edge:
            forward, backward = hashing.reach(rows)
            for i, j in free:
                if forward >> i & 1 and backward >> j & 1:
                    child = list(rows)
                    child[i] |= 1 << j
                    if new(child, ops):
                        links.append((i, j))
        return _GrowMoves(base_rows=tuple(base_rows), base_ops=tuple(base_ops),
                          connections=len(connections), splits=splits,
                          free_pairs=len(free), links=tuple(links), children={})

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
        lower, upper = self.bounds
        values = np.clip(np.rint(np.asarray(x, dtype=float)), lower, upper).astype(int)
        v = self.vertices
        hidden = [self.ops[i] for i in values[:v - 2]]
        rows = [0] * v
        for (i, bit), on in zip(self._flip_bits, values[v - 2:].tolist()):
            if on:
                rows[i] |= bit
        return Cell._trusted(rows, (INPUT, *hidden, OUTPUT))

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


def _size(pruning: Pruning) -> tuple[int, int]:
    """(vertices, edges) after pruning."""
    rows, kept = pruning
    return len(kept), sum(map(int.bit_count, rows))


def _is_chain(rows: Sequence[int], edges: int) -> bool:
    """Pruned rows that are exactly input → op → … → op → output."""
    n = len(rows)
    return n >= 3 and edges == n - 1 and all(rows[i] >> (i + 1) & 1 for i in range(n - 1))


def _chain(ops: Sequence[str]) -> Cell:
    n = len(ops)
    return Cell._trusted([1 << (i + 1) for i in range(n - 1)] + [0], tuple(ops))


_MAX_TRIES = 100_000
_GROW_MEMO_LIMIT = 1 << 11
"""Parents whose growth moves are remembered (each a few hundred bytes plus the children
built from it; a regularized evolution mutates a few parents over and over)."""
_OPS_TABLE_LIMIT = 1 << 12
_CHUNK_LIMIT = 1 << 62
