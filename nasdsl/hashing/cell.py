"""One cell at a time: what `Cell.hash`, the evaluator and searches use.

One cell costs n rounds of n MD5s over texts of 2-4 MD5 blocks; that work is fixed, so the
single-cell path spends as little Python as possible around it. Per graph shape (successor
bitmasks) a `_Plan` is built once: one `itemgetter` lays every vertex's message out as a
token list (neighbour hashes, "|", neighbour hashes, "|", own hash), a few in-place swaps or
slice sorts order the neighbour groups, and one `struct` unpack cuts the joined text into
the per-vertex messages, so a round is a handful of C calls whatever n is. First-round
messages repeat across cells (degrees and labels only), so their digests are memoized, and
so is the final hash of each (rows, labels) graph, because searches revisit cells.

The memos belong to a `CellHasher`; the module's functions are those of one hasher per
process (`HASHER`), and a caller that wants other limits, or a cold start, makes its own.
"""
from __future__ import annotations

import functools
import hashlib
import struct
from operator import and_, itemgetter
from typing import Callable, NamedTuple, Sequence

import numpy as np

from nasdsl.hashing.labels import labels_of
from nasdsl.hashing.prune import prune_rows, rows_of

try:  # CPython's built-in MD5 has less per-call overhead than OpenSSL's for short texts.
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - interpreters built without it
    _md5 = hashlib.md5
_HEXDIGEST = type(_md5()).hexdigest
_JOIN = "".join
_BAR = "|"
_EMPTY = _md5(b"[]").hexdigest()


@functools.lru_cache(maxsize=None)
def _initial(key: tuple[int, int, int]) -> str:
    """md5(str((out_degree, in_degree, label))): the round-0 hash of a vertex (a few hundred
    keys exist)."""
    key = tuple(map(int, key))  # str() of numpy scalars would not read like the official
    return _md5(str(key).encode("utf-8")).hexdigest()


def initial_hash(out_degree: int, in_degree: int, label: int) -> str:
    """The round-0 hash of a vertex."""
    return _initial((out_degree, in_degree, label))


class _MessageDigests(dict):
    """First-round message -> its hex MD5 (bounded; about 32,000 texts cover NAS-Bench-101)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __missing__(self, message: bytes) -> str:
        if len(self) >= self.limit:
            self.clear()
        h = self[message] = _md5(message).hexdigest()
        return h


class _RowBits(dict):
    """Row of a 0/1 matrix (a tuple) -> successor bitmask (bit j set when entry j is nonzero)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __missing__(self, row: tuple) -> int:
        for x in row:  # once per distinct row: an edge is 0 or 1, never NaN, 0.5 or -1
            if not (x == 0 or x == 1):
                raise ValueError(f"matrix entries must be 0 or 1, found {x!r}")
        if len(self) >= self.limit:
            self.clear()
        bits = self[row] = sum(1 << j for j, x in enumerate(row) if x)
        return bits


class _Plan(NamedTuple):
    """Everything about a graph shape that does not depend on hash values."""

    gather: Callable[[list[str]], tuple[str, ...]]
    """Hashes (with "|" appended at index n) -> every message's tokens, in vertex order."""
    pairs: tuple[tuple[int, int], ...]
    """Token positions of two-member neighbour groups, swapped when out of order."""
    groups: tuple[slice, ...]
    """Token slices of larger neighbour groups, sorted in place."""
    split: Callable[[bytes], tuple[bytes, ...]]
    """Joined round text -> the n messages (their lengths are fixed by the shape)."""
    out_degrees: tuple[int, ...]
    in_degrees: tuple[int, ...]
    rounds: range
    """One round per vertex, as the official code iterates."""


def _build_plan(rows: tuple[int, ...]) -> _Plan:
    n = len(rows)
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for v, row in enumerate(rows):
        for w in range(n):
            if row >> w & 1:
                outs[v].append(w)
                ins[w].append(v)
    tokens: list[int] = []
    pairs: list[tuple[int, int]] = []
    groups: list[slice] = []
    lengths: list[int] = []
    for v in range(n):
        for group in (ins[v], outs[v]):
            if len(group) == 2:
                pairs.append((len(tokens), len(tokens) + 1))
            elif len(group) > 2:
                groups.append(slice(len(tokens), len(tokens) + len(group)))
            tokens.extend(group)
            tokens.append(n)  # the "|" after each group
        tokens.append(v)
        lengths.append(32 * (len(ins[v]) + len(outs[v]) + 1) + 2)
    return _Plan(gather=itemgetter(*tokens), pairs=tuple(pairs), groups=tuple(groups),
                 split=struct.Struct("".join(f"{k}s" for k in lengths)).unpack,
                 out_degrees=tuple(map(len, outs)), in_degrees=tuple(map(len, ins)),
                 rounds=range(n))


_LOW_BITS = tuple((2 << i) - 1 for i in range(64))
"""Entry i: the bits at or below the diagonal of row i, which must be clear."""


def _spec_key(matrix, ops: Sequence[str]) -> tuple | None:
    """A memo key naming the spec exactly, or None when the input is not plain enough."""
    try:
        if isinstance(matrix, np.ndarray):
            if matrix.dtype.hasobject:  # its bytes are addresses, not values
                return None
            return matrix.shape, matrix.dtype.str, matrix.tobytes(), tuple(ops)
        return tuple(map(tuple, matrix)), tuple(ops)
    except TypeError:
        return None


class CellHasher:
    """Prunes and hashes single cells, remembering what it has seen in bounded memos (a
    memo that reaches its limit is emptied and refills with what is in use; tens of MB at
    most). NAS-Bench-101 has about 2,500 pruned shapes."""

    def __init__(self, plans: int = 1 << 12, messages: int = 1 << 16, hashes: int = 1 << 15,
                 rows: int = 1 << 12):
        self.limits = {"plans": plans, "messages": messages, "hashes": hashes, "rows": rows}
        self._first_round = _MessageDigests(messages)
        self._row_bits = _RowBits(rows)
        self._plans: dict[tuple[int, ...], _Plan] = {}
        self._hashes: dict[tuple[tuple[int, ...], tuple[int, ...]], str] = {}
        self._specs: dict[tuple, str] = {}

    def sizes(self) -> dict[str, int]:
        """Entries held per memo (plans, messages, hashes, rows, specs)."""
        return {"plans": len(self._plans), "messages": len(self._first_round),
                "hashes": len(self._hashes), "rows": len(self._row_bits),
                "specs": len(self._specs)}

    def clear(self) -> None:
        """Forget everything (for benchmarks that time cold hashing)."""
        for memo in (self._plans, self._first_round, self._row_bits, self._hashes,
                     self._specs):
            memo.clear()

    def _hash_graph(self, rows: tuple[int, ...], labels: tuple[int, ...]) -> str:
        """`hash_module` of a non-empty graph, without the whole-graph memo."""
        plans = self._plans
        plan = plans.get(rows)
        if plan is None:
            if len(plans) >= self.limits["plans"]:
                plans.clear()
            plan = plans[rows] = _build_plan(rows)
        gather, pairs, groups, split = plan.gather, plan.pairs, plan.groups, plan.split
        hashes = list(map(_initial, zip(plan.out_degrees, plan.in_degrees, labels)))
        digest = self._first_round.__getitem__  # first-round texts: degrees and labels only
        for _ in plan.rounds:
            hashes.append(_BAR)
            tokens = list(gather(hashes))
            for a, b in pairs:
                if tokens[a] > tokens[b]:
                    tokens[a], tokens[b] = tokens[b], tokens[a]
            for group in groups:
                tokens[group] = sorted(tokens[group])
            messages = split(_JOIN(tokens).encode())
            if digest is None:
                hashes = list(map(_HEXDIGEST, map(_md5, messages)))
            else:
                hashes = list(map(digest, messages))
                digest = None
        hashes.sort()  # the fingerprint is md5(str(sorted(hashes))): "['h0', 'h1', ...]"
        return _md5(("['" + "', '".join(hashes) + "']").encode()).hexdigest()

    def hash_rows(self, rows: Sequence[int], labels: Sequence[int]) -> str:
        """`hash_module` of one graph given as successor bitmasks (no pruning)."""
        key = (tuple(rows), tuple(labels))
        memo = self._hashes
        h = memo.get(key)
        if h is None:
            if len(key[0]) != len(key[1]):
                raise ValueError("length of labels must match the number of rows")
            if not key[0]:
                return _EMPTY
            if len(memo) >= self.limits["hashes"]:
                memo.clear()
            h = memo[key] = self._hash_graph(*key)
        return h

    def bitmask_rows(self, matrix: Sequence[tuple]) -> list[int]:
        """Successor bitmasks of a matrix given as row tuples, trusted to be square and upper
        triangular (a `Cell`'s matrix); `rows_of` checks its input, this one only converts."""
        return list(map(self._row_bits.__getitem__, matrix))

    def cell_rows_hash(self, matrix: Sequence[tuple], ops: Sequence[str]) -> str:
        """`hash_module` of an already pruned cell: row tuples of 0/1 and op names."""
        return self.hash_rows(self.bitmask_rows(matrix), labels_of(ops))

    def checked_rows(self, matrix) -> list[int]:
        """`rows_of` in plain Python for the small matrices one cell has (numpy costs more
        than the conversion for 7x7); falls back to `rows_of` to report what is wrong."""
        m = matrix.tolist() if isinstance(matrix, np.ndarray) else matrix
        try:
            n = len(m)
            rows = list(map(self._row_bits.__getitem__, map(tuple, m)))
            square = all(map(n.__eq__, map(len, m)))
        except TypeError:
            return rows_of(matrix)
        if not square:
            raise ValueError(f"matrix must be square, got rows of lengths {list(map(len, m))}")
        if n > len(_LOW_BITS) or any(map(and_, rows, _LOW_BITS)):
            return rows_of(matrix)
        return rows

    def module_hash(self, matrix, labels: Sequence[int]) -> str:
        """The official `graph_util.hash_module(matrix, labels)`; the matrix is not pruned."""
        rows = self.checked_rows(matrix)
        if len(labels) != len(rows):
            raise ValueError("length of labels must match matrix dimensions")
        return self.hash_rows(rows, labels)

    def spec_hash(self, matrix, ops: Sequence[str]) -> str:
        """Hash a spec as the official `ModelSpec(matrix, ops).hash_spec(...)`: prune, then
        hash.

        `ops` are `.nas` names or NAS-Bench-101 strings, first 'input' and last 'output'.
        Raises ValueError for a spec whose output is unreachable from its input. Specs seen
        recently are answered from a bounded memo.
        """
        key = _spec_key(matrix, ops)
        specs = self._specs
        h = specs.get(key) if key is not None else None
        if h is not None:
            return h
        labels = labels_of(ops)
        rows = self.checked_rows(matrix)
        if len(rows) != len(labels):
            raise ValueError("length of ops must match matrix dimensions")
        pruned = prune_rows(rows, len(rows))
        if pruned is None:
            raise ValueError("invalid spec: the output is not reachable from the input")
        new_rows, kept = pruned
        h = self.hash_rows(new_rows,
                           labels if len(kept) == len(labels) else [labels[v] for v in kept])
        if key is not None:
            if len(specs) >= self.limits["hashes"]:
                specs.clear()
            specs[key] = h
        return h


HASHER = CellHasher()
"""This process's hasher: the functions below are its methods."""
hash_rows = HASHER.hash_rows
bitmask_rows = HASHER.bitmask_rows
cell_rows_hash = HASHER.cell_rows_hash
checked_rows = HASHER.checked_rows
module_hash = HASHER.module_hash
spec_hash = HASHER.spec_hash
