"""NAS-Bench-101 pruning and module hashing, bit for bit as the official benchmark does it.

The table is keyed by `graph_util.hash_module` of the *pruned* spec, so a lookup only hits
when both steps match the official code exactly: vertices off every input→output path are
dropped, then an iterated MD5 over sorted neighbour hashes (one round per vertex) is folded
into one fingerprint. Isomorphic cells therefore share one hash.

Two fast paths give identical results. One cell at a time (`spec_hash`, `module_hash`,
`hash_rows`, `cell_rows_hash`; what `Cell.hash` and searches use) works on Python ints (a
successor bitmask per vertex) with a per-shape plan, so a round is a few C calls, and with
bounded memos for first-round digests and for whole cells, which searches revisit. Many cells
at once (`hash_many`): numpy builds every round's MD5 input for all cells that share a
vertex's neighbourhood pattern, a tight loop runs the MD5s. `reference_module_hash` and
`reference_prune` keep the plain numpy-per-cell formulation for checks and benchmarks.

Labels follow the official convention: -1 input, -2 output, 0 conv3x3-bn-relu,
1 conv1x1-bn-relu, 2 maxpool3x3. Operations outside NAS-Bench-101 (conv5x5, avgpool3x3) get
the next labels, so cells of wider spaces hash the same way; their hashes never occur in the
benchmark table.
"""
from __future__ import annotations

import hashlib
import struct
from functools import reduce
from operator import and_, itemgetter, or_
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np

from nasdsl.ops import CELL_OPS, NASBENCH101_LABELS, NASBENCH101_OPS

INPUT_LABEL = -1
OUTPUT_LABEL = -2


def _build_labels() -> dict[str, int]:
    labels = dict(NASBENCH101_LABELS)
    for nas_name, nb_name in NASBENCH101_OPS.items():
        labels[nb_name] = NASBENCH101_LABELS[nas_name]
    next_label = max(labels.values()) + 1
    for op in CELL_OPS:
        if op not in labels:
            labels[op] = next_label
            next_label += 1
    return labels


LABELS: dict[str, int] = _build_labels()
"""Hash label of every op spelling: `.nas` names, NAS-Bench-101 strings, input, output."""


def label_of(op: str) -> int:
    """Hash label of an op (`.nas` name or NAS-Bench-101 string); ValueError if unknown."""
    try:
        return LABELS[op]
    except KeyError:
        raise _unknown_op(op) from None


def labels_of(ops: Iterable[str]) -> list[int]:
    """`label_of` of each op, in one pass; ValueError naming the first unknown op."""
    try:
        return list(map(LABELS.__getitem__, ops))
    except KeyError as e:
        raise _unknown_op(e.args[0]) from None


def _unknown_op(op: object) -> ValueError:
    return ValueError(f"unknown operation {op!r}; known: {sorted(LABELS)}")


# --- matrix <-> successor bitmasks ------------------------------------------------------------

def rows_of(matrix) -> list[int]:
    """Successor bitmask per vertex (bit j of entry i set when i→j), upper triangle only."""
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    n = m.shape[0]
    if n == 0:
        return []
    if m.dtype.kind not in "biuf" or not np.isin(m, (0, 1)).all():
        bad = m.reshape(-1)[~np.isin(m.reshape(-1), (0, 1))] if m.dtype.kind in "biuf" else m
        raise ValueError(f"matrix entries must be 0 or 1, found {bad.reshape(-1)[0]!r}")
    upper = np.triu(m != 0, 1)
    if np.any((m != 0) & ~upper):
        raise ValueError("matrix must be upper triangular (a DAG in vertex order)")
    return (upper.astype(np.int64) << np.arange(n, dtype=np.int64)).sum(axis=1).tolist()


# --- pruning ----------------------------------------------------------------------------------

def reach(rows: Sequence[int]) -> tuple[int, int]:
    """Bitmasks of the vertices the input reaches and of those that reach the output, for
    successor bitmasks `rows` of a DAG in vertex order."""
    n = len(rows)
    forward = 1
    for v in range(n):
        if forward >> v & 1:
            forward |= rows[v]
    backward = 1 << (n - 1)
    for v in range(n - 2, -1, -1):
        if rows[v] & backward:
            backward |= 1 << v
    return forward, backward


def _kept_vertices(rows: Sequence[int], n: int) -> int | None:
    """Bitmask of vertices on some input→output path, or None when there is no such path."""
    if n < 2:
        return None
    forward, backward = reach(rows[:n] if len(rows) != n else rows)
    keep = forward & backward
    if not keep & 1:
        return None
    return keep


def prune_rows(rows: Sequence[int], n: int) -> tuple[list[int], list[int]] | None:
    """Pruned successor bitmasks and the kept vertex indices, or None when disconnected."""
    n = int(n)
    full = (1 << n) - 1
    if n >= 2 and all(rows[:n - 1]) and reduce(or_, rows[:n], 1) == full:
        # Every vertex but the output has a successor and every one but the input has a
        # predecessor: in a DAG every vertex then lies on an input→output path.
        return list(rows[:n]), list(range(n))
    keep = _kept_vertices(rows, n)
    if keep is None:
        return None
    if keep == full:
        return list(rows), list(range(n))
    kept = [v for v in range(n) if keep >> v & 1]
    new_index = {v: i for i, v in enumerate(kept)}
    pruned = []
    for v in kept:
        row, bits = rows[v] & keep, 0
        for w in kept:
            if row >> w & 1:
                bits |= 1 << new_index[w]
        pruned.append(bits)
    return pruned, kept


def prune(matrix, labels: Sequence) -> tuple[np.ndarray, list] | None:
    """Drop vertices not on an input→output path, as the official `ModelSpec._prune`.

    Returns the pruned matrix and the matching labels (of whatever type was given), or None
    when the output cannot be reached from the input.
    """
    m = np.asarray(matrix)
    n = m.shape[0] if m.ndim == 2 else -1
    if n != len(labels):
        raise ValueError("length of ops must match matrix dimensions")
    result = prune_rows(rows_of(m), n)
    if result is None:
        return None
    _, kept = result
    return m[np.ix_(kept, kept)].copy(), [labels[v] for v in kept]


# --- hashing one cell ---------------------------------------------------------------------------
#
# One cell costs n rounds of n MD5s over texts of 2-4 MD5 blocks; that work is fixed, so the
# single-cell path spends as little Python as possible around it. Per graph shape (successor
# bitmasks) a `_Plan` is built once: one `itemgetter` lays every vertex's message out as a
# token list (neighbour hashes, "|", neighbour hashes, "|", own hash), a few in-place swaps or
# slice sorts order the neighbour groups, and one `struct` unpack cuts the joined text into
# the per-vertex messages, so a round is a handful of C calls whatever n is. First-round
# messages repeat across cells (degrees and labels only), so their digests are memoized, and
# so is the final hash of each (rows, labels) graph, because searches revisit cells.

try:  # CPython's built-in MD5 has less per-call overhead than OpenSSL's for short texts.
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - interpreters built without it
    _md5 = hashlib.md5
_HEXDIGEST = type(_md5()).hexdigest
_JOIN = "".join
_BAR = "|"

_PLAN_LIMIT = 1 << 12
_MESSAGE_LIMIT = 1 << 16
_HASH_LIMIT = 1 << 15
_ROW_LIMIT = 1 << 12
"""Memo sizes (tens of MB at most, per process): a memo that reaches its limit is emptied
and refills with what is in use. NAS-Bench-101 has about 2,500 pruned shapes."""


class _InitialDigests(dict):
    """(out_degree, in_degree, label) -> md5(str(key)): the round-0 hash of a vertex."""

    def __missing__(self, key: tuple[int, int, int]) -> str:
        key = tuple(map(int, key))  # str() of numpy scalars would not read like the official
        h = self[key] = _md5(str(key).encode("utf-8")).hexdigest()
        return h


class _MessageDigests(dict):
    """First-round message -> its hex MD5 (bounded; about 32,000 texts cover NAS-Bench-101)."""

    def __missing__(self, message: bytes) -> str:
        if len(self) >= _MESSAGE_LIMIT:
            self.clear()
        h = self[message] = _md5(message).hexdigest()
        return h


class _RowBits(dict):
    """Row of a 0/1 matrix (a tuple) -> successor bitmask (bit j set when entry j is nonzero)."""

    def __missing__(self, row: tuple) -> int:
        for x in row:  # once per distinct row: an edge is 0 or 1, never NaN, 0.5 or -1
            if not (x == 0 or x == 1):
                raise ValueError(f"matrix entries must be 0 or 1, found {x!r}")
        if len(self) >= _ROW_LIMIT:
            self.clear()
        bits = self[row] = sum(1 << j for j, x in enumerate(row) if x)
        return bits


_INITIAL = _InitialDigests()
_FIRST_ROUND = _MessageDigests()
_ROW_BITS = _RowBits()
_HASHES: dict[tuple[tuple[int, ...], tuple[int, ...]], str] = {}


def _initial_hash(out_degree: int, in_degree: int, label: int) -> str:
    return _INITIAL[out_degree, in_degree, label]


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


_PLANS: dict[tuple[int, ...], _Plan] = {}


def _hash_graph(rows: tuple[int, ...], labels: tuple[int, ...]) -> str:
    """`hash_module` of a non-empty graph, without the whole-graph memo."""
    plan = _PLANS.get(rows)
    if plan is None:
        if len(_PLANS) >= _PLAN_LIMIT:
            _PLANS.clear()
        plan = _PLANS[rows] = _build_plan(rows)
    gather, pairs, groups, split = plan.gather, plan.pairs, plan.groups, plan.split
    hashes = list(map(_INITIAL.__getitem__, zip(plan.out_degrees, plan.in_degrees, labels)))
    digest = _FIRST_ROUND.__getitem__  # first-round texts depend on degrees and labels only
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


def hash_rows(rows: Sequence[int], labels: Sequence[int]) -> str:
    """`hash_module` of one graph given as successor bitmasks (no pruning)."""
    key = (tuple(rows), tuple(labels))
    h = _HASHES.get(key)
    if h is None:
        if len(key[0]) != len(key[1]):
            raise ValueError("length of labels must match the number of rows")
        if not key[0]:
            return _md5(b"[]").hexdigest()
        if len(_HASHES) >= _HASH_LIMIT:
            _HASHES.clear()
        h = _HASHES[key] = _hash_graph(*key)
    return h


def bitmask_rows(matrix: Sequence[tuple]) -> list[int]:
    """Successor bitmasks of a matrix given as row tuples, trusted to be square and upper
    triangular (a `Cell`'s matrix); `rows_of` checks its input, this one only converts."""
    return list(map(_ROW_BITS.__getitem__, matrix))


def cell_rows_hash(matrix: Sequence[tuple], ops: Sequence[str]) -> str:
    """`hash_module` of an already pruned cell: row tuples of 0/1 and op names."""
    return hash_rows(bitmask_rows(matrix), labels_of(ops))


_LOW_BITS = tuple((2 << i) - 1 for i in range(64))
"""Entry i: the bits at or below the diagonal of row i, which must be clear."""


def checked_rows(matrix) -> list[int]:
    """`rows_of` in plain Python for the small matrices one cell has (numpy costs more than
    the conversion for 7x7); falls back to `rows_of` to report what is wrong."""
    m = matrix.tolist() if isinstance(matrix, np.ndarray) else matrix
    try:
        n = len(m)
        rows = list(map(_ROW_BITS.__getitem__, map(tuple, m)))
        square = all(map(n.__eq__, map(len, m)))
    except TypeError:
        return rows_of(matrix)
    if not square:
        raise ValueError(f"matrix must be square, got rows of lengths {list(map(len, m))}")
    if n > len(_LOW_BITS) or any(map(and_, rows, _LOW_BITS)):
        return rows_of(matrix)
    return rows


def module_hash(matrix, labels: Sequence[int]) -> str:
    """The official `graph_util.hash_module(matrix, labels)`; the matrix is not pruned."""
    rows = checked_rows(matrix)
    if len(labels) != len(rows):
        raise ValueError("length of labels must match matrix dimensions")
    return hash_rows(rows, labels)


_SPECS: dict[tuple, str] = {}


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


def spec_hash(matrix, ops: Sequence[str]) -> str:
    """Hash a spec as the official `ModelSpec(matrix, ops).hash_spec(...)`: prune, then hash.

    `ops` are `.nas` names or NAS-Bench-101 strings, first 'input' and last 'output'.
    Raises ValueError for a spec whose output is unreachable from its input. Specs seen
    recently are answered from a bounded memo.
    """
    key = _spec_key(matrix, ops)
    h = _SPECS.get(key) if key is not None else None
    if h is not None:
        return h
    labels = labels_of(ops)
    rows = checked_rows(matrix)
    if len(rows) != len(labels):
        raise ValueError("length of ops must match matrix dimensions")
    pruned = prune_rows(rows, len(rows))
    if pruned is None:
        raise ValueError("invalid spec: the output is not reachable from the input")
    new_rows, kept = pruned
    h = hash_rows(new_rows, labels if len(kept) == len(labels) else [labels[v] for v in kept])
    if key is not None:
        if len(_SPECS) >= _HASH_LIMIT:
            _SPECS.clear()
        _SPECS[key] = h
    return h


def clear_memos() -> None:
    """Empty every memo of the single-cell path (for benchmarks that time cold hashing)."""
    for memo in (_PLANS, _FIRST_ROUND, _ROW_BITS, _HASHES, _SPECS):
        memo.clear()


def hash_many(matrices, labels, num_vertices: Iterable[int] | None = None,
              prune: bool = True) -> list[str | None]:
    """Prune and hash many specs at once; None for a spec that prunes to nothing.

    `matrices` is an (N, V, V) array (or a sequence of square matrices), `labels` the
    matching integer labels. With `num_vertices`, row i uses only its top-left
    `num_vertices[i]` block and labels (zero-padded tables such as the benchmark's).
    Work is vectorized over cells that share a shape, so large batches are much faster
    per cell than `module_hash`; results are identical.
    """
    mats, labs, sizes = _as_padded(matrices, labels, num_vertices)
    out: list[str | None] = [None] * len(mats)
    groups: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for n in np.unique(sizes).tolist():
        idx = np.flatnonzero(sizes == n)
        a = np.triu(mats[idx, :n, :n], 1)
        lab = labs[idx, :n]
        parts = _prune_batch(a, lab, idx) if prune else [(a, lab, idx)]
        for part in parts:
            groups.setdefault(part[0].shape[1], []).append(part)
    for n, parts in groups.items():
        a = np.concatenate([p[0] for p in parts])
        lab = np.concatenate([p[1] for p in parts])
        idx = np.concatenate([p[2] for p in parts])
        for i, h in zip(idx.tolist(), _hash_batch(a, lab)):
            out[i] = h
    return out


def _as_padded(matrices, labels, num_vertices) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, V, V) bool matrices, (N, V) int labels and (N,) sizes from any accepted input."""
    if isinstance(matrices, np.ndarray) and matrices.ndim == 3:
        mats = matrices != 0
        labs = np.asarray(labels, dtype=np.int64)
        sizes = (np.full(len(mats), mats.shape[1], dtype=np.int64) if num_vertices is None
                 else np.asarray(list(num_vertices), dtype=np.int64))
        return mats, labs, sizes
    mats_list = [np.asarray(m) != 0 for m in matrices]
    labs_list = [list(x) for x in labels]
    size = max((len(m) for m in mats_list), default=0)
    mats = np.zeros((len(mats_list), size, size), dtype=bool)
    labs = np.full((len(mats_list), size), -3, dtype=np.int64)
    for i, (m, lab) in enumerate(zip(mats_list, labs_list)):
        if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] != len(lab):
            raise ValueError(f"spec {i}: matrix and labels do not match")
        mats[i, :len(m), :len(m)] = m
        labs[i, :len(lab)] = lab
    sizes = (np.asarray([len(m) for m in mats_list], dtype=np.int64) if num_vertices is None
             else np.asarray(list(num_vertices), dtype=np.int64))
    return mats, labs, sizes


# --- vectorized batch: numpy builds every message, a tight loop runs MD5 ---------------------

_HEX_PAIRS = np.frombuffer(b"".join(b"%02x" % i for i in range(256)), dtype=np.uint16)
"""Byte value -> its two hex characters, as one uint16 in memory order."""
_DIGEST = type(_md5()).digest


def _prune_batch(a: np.ndarray, labels: np.ndarray, idx: np.ndarray
                 ) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Prune (M, n, n) upper-triangular cells; one (matrices, labels, indices) part per set
    of kept vertices, disconnected cells left out."""
    n = a.shape[1]
    if n < 2:
        return []
    forward = np.zeros(a.shape[:2], dtype=bool)
    forward[:, 0] = True
    for v in range(n):
        forward |= forward[:, v:v + 1] & a[:, v, :]
    backward = np.zeros(a.shape[:2], dtype=bool)
    backward[:, n - 1] = True
    for v in range(n - 2, -1, -1):
        backward[:, v] = np.any(a[:, v, :] & backward, axis=1)
    keep = forward & backward
    code = (keep.astype(np.int64) << np.arange(n, dtype=np.int64)).sum(axis=1)
    code[~keep[:, 0]] = -1
    parts = []
    for c in np.unique(code).tolist():
        if c < 0:
            continue
        rows = np.flatnonzero(code == c)
        kept = [v for v in range(n) if c >> v & 1]
        parts.append((a[rows][:, kept][:, :, kept], labels[rows][:, kept], idx[rows]))
    return parts


def _hexlify(digests: bytes, count: int) -> np.ndarray:
    """Raw 16-byte MD5 digests -> (count,) array of 32-char lowercase hex (dtype S32)."""
    raw = np.frombuffer(digests, dtype=np.uint8).reshape(count, 16)
    return _HEX_PAIRS[raw].view("S32").reshape(count)


def _md5_rows(messages: np.ndarray, dedupe: bool = False) -> np.ndarray:
    """MD5 hex of each row of an (M, L) uint8 message array, as (M,) S32."""
    count, length = messages.shape
    flat = np.ascontiguousarray(messages).view(f"S{length}").reshape(count)
    inverse = None
    if dedupe:
        flat, inverse = np.unique(flat, return_inverse=True)
    digests = b"".join(map(_DIGEST, map(_md5, flat.tolist())))
    hexes = _hexlify(digests, len(flat))
    return hexes if inverse is None else hexes[inverse.reshape(count)]


def _initial_batch(a: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Round-0 hashes, md5(str((out_degree, in_degree, label))), as (M, n) S32."""
    outs = a.sum(axis=2).astype(np.int64)
    ins = a.sum(axis=1).astype(np.int64)
    code = (outs * 64 + ins) * 64 + (labels + 8)
    uniq, inverse = np.unique(code, return_inverse=True)
    table = np.array([_initial_hash(c // 4096, c // 64 % 64, c % 64 - 8)
                      for c in uniq.tolist()], dtype="S32")
    return table[inverse.reshape(code.shape)]


def _hash_batch(a: np.ndarray, labels: np.ndarray) -> list[str]:
    """`hash_module` of M graphs with n vertices each ((M, n, n) bool, (M, n) labels)."""
    count, n = labels.shape
    if count == 0:
        return []
    hashes = _initial_batch(a, labels)
    # Cells that share vertex v's in- and out-neighbour sets form one vectorized group.
    plan = []
    for v in range(n):
        col = (a[:, :, v].astype(np.int64) << np.arange(n)).sum(axis=1)
        row = (a[:, v, :].astype(np.int64) << np.arange(n)).sum(axis=1)
        pattern = col * (1 << n) + row
        for p in np.unique(pattern).tolist():
            rows = np.flatnonzero(pattern == p) * n
            ins = [w for w in range(n) if (p >> n) >> w & 1]
            outs = [w for w in range(n) if p >> w & 1]
            plan.append((rows + v, rows[:, None] + ins, rows[:, None] + outs))
    bar = ord("|")
    for round_ in range(n):
        flat = hashes.reshape(-1)
        new = np.empty_like(flat)
        for own, ins, outs in plan:
            m, k_in, k_out = ins.shape[0], ins.shape[1], outs.shape[1]
            msg = np.empty((m, 32 * (k_in + k_out + 1) + 2), dtype=np.uint8)
            pos = 32 * k_in
            if k_in:
                sub = flat.take(ins)
                if k_in > 1:
                    sub.sort(axis=1)
                msg[:, :pos] = sub.view(np.uint8).reshape(m, pos)
            msg[:, pos] = bar
            if k_out:
                sub = flat.take(outs)
                if k_out > 1:
                    sub.sort(axis=1)
                msg[:, pos + 1:pos + 1 + 32 * k_out] = sub.view(np.uint8).reshape(m, 32 * k_out)
            pos += 1 + 32 * k_out
            msg[:, pos] = bar
            msg[:, pos + 1:] = flat.take(own).view(np.uint8).reshape(m, 32)
            new[own] = _md5_rows(msg, dedupe=round_ == 0)
        hashes = new.reshape(count, n)
    # Fingerprint: md5 of str(sorted(hashes)), i.e. "['h0', 'h1', ...]".
    ordered = np.sort(hashes, axis=1).view(np.uint8).reshape(count, n, 32)
    msg = np.empty((count, n, 36), dtype=np.uint8)
    msg[:, :, 0] = ord(",")
    msg[:, :, 1] = ord(" ")
    msg[:, :, 2] = ord("'")
    msg[:, :, 3:35] = ordered
    msg[:, :, 35] = ord("'")
    full = np.empty((count, n * 36), dtype=np.uint8)
    full[:, :-1] = msg.reshape(count, n * 36)[:, 1:]
    full[:, 0] = ord("[")
    full[:, -1] = ord("]")
    length = full.shape[1]
    texts = np.ascontiguousarray(full).view(f"S{length}").reshape(count).tolist()
    return list(map(_HEXDIGEST, map(_md5, texts)))


def reference_module_hash(matrix, labels: Sequence[int]) -> str:
    """The official algorithm written plainly with numpy per cell: slow, kept as a baseline
    for benchmarks and as an independent check of the fast path."""
    matrix = np.asarray(matrix)
    vertices = matrix.shape[0]
    in_edges = np.sum(matrix, axis=0).tolist()
    out_edges = np.sum(matrix, axis=1).tolist()
    hashes = [_md5(str(t).encode("utf-8")).hexdigest()
              for t in zip(out_edges, in_edges, list(labels))]
    for _ in range(vertices):
        new_hashes = []
        for v in range(vertices):
            hin = [hashes[w] for w in range(vertices) if matrix[w, v]]
            hout = [hashes[w] for w in range(vertices) if matrix[v, w]]
            text = "".join(sorted(hin)) + "|" + "".join(sorted(hout)) + "|" + hashes[v]
            new_hashes.append(_md5(text.encode("utf-8")).hexdigest())
        hashes = new_hashes
    return _md5(str(sorted(hashes)).encode("utf-8")).hexdigest()


def reference_prune(matrix, labels: Sequence) -> tuple[np.ndarray, list] | None:
    """The official `ModelSpec._prune` written plainly (DFS over numpy), for the baseline."""
    matrix = np.asarray(matrix)
    n = matrix.shape[0]
    seen_in, stack = {0}, [0]
    while stack:
        top = stack.pop()
        for v in range(top + 1, n):
            if matrix[top, v] and v not in seen_in:
                seen_in.add(v)
                stack.append(v)
    seen_out, stack = {n - 1}, [n - 1]
    while stack:
        top = stack.pop()
        for v in range(0, top):
            if matrix[v, top] and v not in seen_out:
                seen_out.add(v)
                stack.append(v)
    extraneous = set(range(n)) - (seen_in & seen_out)
    if len(extraneous) > n - 2:
        return None
    drop = sorted(extraneous)
    pruned = np.delete(np.delete(matrix, drop, axis=0), drop, axis=1)
    return pruned, [x for i, x in enumerate(labels) if i not in extraneous]
