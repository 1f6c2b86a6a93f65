"""From whatever a user or a search hands the evaluator to a NAS-Bench-101 hash, or the reason
it has none: the checks of the official API (input first, output last, known ops; at most 7
vertices and 9 edges after pruning; output reachable from input)."""
from __future__ import annotations

import re
from typing import Any, Sequence

from nasdsl.evaluators.descriptor_matrix import descriptor_key, descriptor_to_rows
from nasdsl.hashing import checked_rows, hash_rows, label_of, prune_rows
from nasdsl.ops import INPUT, NASBENCH101_OPS, OUTPUT

MAX_VERTICES = 7
MAX_EDGES = 9
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_NB_OPS = frozenset(NASBENCH101_OPS) | frozenset(NASBENCH101_OPS.values())
_MEMO_LIMIT = 1_000_000

Outcome = tuple[str | None, str | None]
"""(hash, None) for a cell of the space, (None, reason) otherwise."""


def spec_outcome(matrix: Any, ops: Sequence[str]) -> Outcome:
    """Hash of a spec after pruning, or why it is outside NAS-Bench-101 (a matrix that is
    not a square 0/1 grid, such as one holding NaN, 3-D or ragged, included)."""
    try:
        ops = list(ops)
    except TypeError:
        return None, f"ops must be a list of operation names, got {type(ops).__name__}"
    if not all(isinstance(op, str) for op in ops):
        return None, "ops must be a list of operation names (strings)"
    problem = _ops_problem(ops)
    if problem:
        return None, problem
    try:
        rows = checked_rows(matrix)
    except ValueError as e:
        return None, str(e)
    return _rows_outcome(rows, ops)


def _ops_problem(ops: list[str]) -> str | None:
    if len(ops) < 2 or ops[0] != INPUT or ops[-1] != OUTPUT:
        return "the first op must be 'input' and the last 'output'"
    for op in ops[1:-1]:
        if op not in _NB_OPS:
            return (f"op {op!r} is not a NAS-Bench-101 operation "
                    "(conv1x1-bn-relu, conv3x3-bn-relu, maxpool3x3)")
    return None


def _rows_outcome(rows: list[int], ops: list[str]) -> Outcome:
    if any(r >> (i + 1) << (i + 1) != r for i, r in enumerate(rows)):
        return None, "matrix must be upper triangular (a DAG in vertex order)"
    if len(rows) != len(ops):
        return None, f"a {len(rows)}-vertex matrix with {len(ops)} ops"
    pruned = prune_rows(rows, len(rows))
    if pruned is None:
        return None, "the cell is disconnected: no path from input to output"
    new_rows, kept = pruned
    if len(kept) > MAX_VERTICES:
        return None, f"{len(kept)} vertices after pruning (NAS-Bench-101 has at most {MAX_VERTICES})"
    edges = sum(r.bit_count() for r in new_rows)
    if edges > MAX_EDGES:
        return None, f"{edges} edges after pruning (NAS-Bench-101 has at most {MAX_EDGES})"
    return hash_rows(new_rows, [label_of(ops[v]) for v in kept]), None


def is_descriptor(x: Any) -> bool:
    return hasattr(x, "layers") and hasattr(x, "connections")


class HashMemo:
    """Memoized `outcome(x)` for descriptors and (matrix, ops) pairs; cells carry their own."""

    def __init__(self) -> None:
        self._memo: dict[Any, Outcome] = {}

    def outcome(self, x: Any) -> Outcome:
        if isinstance(x, (str, bytes)):
            h = x.decode("ascii") if isinstance(x, bytes) else x
            h = h.lower()
            return (h, None) if _HEX32.match(h) else (None, f"{x!r} is not a NAS-Bench-101 hash")
        if is_descriptor(x):
            key = descriptor_key(x)
            return self._remember(key, lambda: _descriptor_outcome(x))
        if hasattr(x, "hash") and hasattr(x, "matrix") and hasattr(x, "ops"):
            return self._cell_outcome(x)
        if hasattr(x, "hash"):
            return self.outcome(x.hash)
        if isinstance(x, (tuple, list)) and len(x) == 2:
            matrix, ops = x
            try:
                key = (_matrix_key(matrix), tuple(ops))
                hash(key)
            except TypeError:  # not a grid of plain values: checked, not memoized
                return spec_outcome(matrix, ops)
            return self._remember(key, lambda: spec_outcome(matrix, ops))
        return None, (f"cannot evaluate a {type(x).__name__}: give a descriptor, a cell, "
                      "(matrix, ops) or a hash")

    def _cell_outcome(self, cell: Any) -> Outcome:
        """A cell's own cached hash when it is one of the benchmark; else check its spec."""
        try:
            key: Any = ("cell", cell.hash)
        except Exception:  # a cell too broken to hash: key it by content instead
            key = ("cell", _matrix_key(cell.matrix), tuple(cell.ops))
        return self._remember(key, lambda: spec_outcome(cell.matrix, cell.ops))

    def _remember(self, key: Any, compute) -> Outcome:
        got = self._memo.get(key)
        if got is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            got = self._memo[key] = compute()
        return got


def _descriptor_outcome(descriptor: Any) -> Outcome:
    try:
        rows, ops = descriptor_to_rows(descriptor)
    except ValueError as e:
        return None, str(e)
    problem = _ops_problem(ops)
    if problem:
        return None, problem
    return _rows_outcome(rows, ops)


def _matrix_key(matrix: Any) -> tuple:
    """The matrix's values as they are (0.5 is not 0), so an invalid matrix never shares a
    memo entry with a valid one; TypeError when it is not a grid of plain values."""
    if hasattr(matrix, "tolist"):
        matrix = matrix.tolist()
    return tuple(tuple(row) for row in matrix)
