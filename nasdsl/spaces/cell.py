"""A NAS-Bench-101 cell as a value: an unpruned matrix and ops, identified by the benchmark's
hash of its pruned spec.

A `Cell` keeps the matrix as it was built (unpruned: mutations act on it, as NAS-Bench-101's
own `mutate_spec` acts on `original_matrix`), and is identified by the benchmark's hash of
the pruned spec, so isomorphic cells compare and hash equal. Searches build one per
evaluation, so what `Cell(...)` is given is normalized in plain Python with small memos.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from nasdsl import hashing
from nasdsl.ops import INPUT, OUTPUT, from_nasbench101

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
"""Entries per memo below (a few MB at most): least recently used entries leave first."""


@functools.lru_cache(maxsize=_MEMO_LIMIT)
def _row_form(row: tuple) -> tuple[tuple[int, ...], int]:
    """A matrix row as given -> (the row as a tuple of int 0/1, its successor bitmask)."""
    values = tuple(int(x) for x in row)
    if any(x not in (0, 1) for x in values):
        raise ValueError("a cell's matrix must be 0/1 and strictly upper triangular")
    return values, sum(1 << j for j, x in enumerate(values) if x)


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
    return _op_form(ops if type(ops) is tuple else tuple(ops))


@functools.lru_cache(maxsize=_MEMO_LIMIT)
def _op_form(ops: tuple[str, ...]) -> tuple[str, ...]:
    """Ops as given -> `.nas` names."""
    return tuple(from_nasbench101(op) for op in ops)


@functools.lru_cache(maxsize=_MEMO_LIMIT)
def _row_text(bits: int, n: int) -> str:
    """A matrix row as `str(cell)` writes it: '0110…', entry 0 first."""
    return "".join(str((bits >> j) & 1) for j in range(n))


@functools.lru_cache(maxsize=_MEMO_LIMIT)
def _row_tuple(bits: int, n: int) -> tuple[int, ...]:
    """(successor bitmask, vertices) -> the matrix row as a tuple of 0/1."""
    return tuple((bits >> j) & 1 for j in range(n))


def pruned_size(pruning: Pruning) -> tuple[int, int]:
    """(vertices, edges) after pruning."""
    rows, kept = pruning
    return len(kept), sum(map(int.bit_count, rows))
