"""Many cells at once: numpy builds every round's MD5 input for all cells that share a
vertex's neighbourhood pattern, a tight loop runs the MD5s. Results equal the single-cell
path's, bit for bit."""
from __future__ import annotations

import hashlib
from typing import Iterable

import numpy as np

from nasdsl.hashing.cell import initial_hash

try:  # CPython's built-in MD5 has less per-call overhead than OpenSSL's for short texts.
    from _md5 import md5 as _md5
except ImportError:  # pragma: no cover - interpreters built without it
    _md5 = hashlib.md5
_HEXDIGEST = type(_md5()).hexdigest

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
    table = np.array([initial_hash(c // 4096, c // 64 % 64, c % 64 - 8)
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
