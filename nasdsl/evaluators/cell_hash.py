"""From whatever a user or a search hands the evaluator to a NAS-Bench-101 hash, or the reason
it has none (the rules are `nasdsl.nasbench101`'s), remembered per evaluator."""
from __future__ import annotations

from typing import Any

from nasdsl.nasbench101 import (HASH, Outcome, descriptor_key, descriptor_outcome,
                                spec_outcome)

_MEMO_LIMIT = 1_000_000


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
            return (h, None) if HASH.match(h) else (None, f"{x!r} is not a NAS-Bench-101 hash")
        if is_descriptor(x):
            key = descriptor_key(x)
            return self._remember(key, lambda: descriptor_outcome(x))
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


def _matrix_key(matrix: Any) -> tuple:
    """The matrix's values as they are (0.5 is not 0), so an invalid matrix never shares a
    memo entry with a valid one; TypeError when it is not a grid of plain values."""
    if hasattr(matrix, "tolist"):
        matrix = matrix.tolist()
    return tuple(tuple(row) for row in matrix)
