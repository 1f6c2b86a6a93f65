"""What a NAS-Bench-101 table must hold beyond its format: well-formed cells, each row's hash
the hash of its own spec (recomputed with the batch hasher), metrics within their range.

Checked on every import, so a table whose hash column slipped by a row or whose accuracies
are percentages is refused, and again by `nasdsl data nasbench101 --verify`.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from nasdsl.hashing import hash_many
from nasdsl.nasbench101 import MAX_VERTICES
from nasdsl.store.table import PAD_LABEL, Table

ACCURACIES = ("validation_accuracy", "test_accuracy", "train_accuracy")
HASH_CHUNK = 50_000
Progress = Callable[[int, int], None]
"""Called with (rows whose hash was checked, rows)."""


def content_problems(table: Table, progress: Progress | None = None) -> list[str]:
    """Every way the table's content is wrong, one sentence each (empty when sound)."""
    if table.cells == 0:
        return ["the table has no cells"]
    problems = _hex_problems(table.hashes)
    spec_ok, spec_problems = _spec_problems(table)
    problems += spec_problems
    problems += _hash_problems(table, spec_ok, progress)
    for name, values in {**table.run_metrics, **table.cell_metrics}.items():
        problems += _range_problems(name, values)
    return problems


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _count(bad: np.ndarray, total: int) -> str:
    return f"{int(bad.sum()):,} of {total:,} rows"


def _hex_problems(hashes: np.ndarray) -> list[str]:
    raw = np.ascontiguousarray(hashes).view(np.uint8).reshape(len(hashes), -1)
    digit = (raw >= ord("0")) & (raw <= ord("9"))
    lower = (raw >= ord("a")) & (raw <= ord("f"))
    bad = ~(digit | lower).all(axis=1)
    if not bad.any():
        return []
    i = _first(bad)
    return [f"hash column: {_count(bad, len(hashes))} are not 32 lowercase hex digits "
            f"(row {i}: {bytes(hashes[i])!r})"]


def _spec_problems(table: Table) -> tuple[np.ndarray, list[str]]:
    """Rows whose spec is a well-formed padded cell, and the ways others are not."""
    n = table.cells
    nv = np.asarray(table.num_vertices, dtype=np.int64)
    labels = np.asarray(table.labels, dtype=np.int64)
    adj = np.asarray(table.adjacency)
    problems: list[str] = []
    sizes_ok = (nv >= 2) & (nv <= MAX_VERTICES)
    if not sizes_ok.all():
        i = _first(~sizes_ok)
        problems.append(f"num_vertices: {_count(~sizes_ok, n)} are outside 2..{MAX_VERTICES} "
                        f"(row {i}: {int(nv[i])})")
    v = np.clip(nv, 2, MAX_VERTICES)[:, None]
    pos = np.arange(MAX_VERTICES)[None, :]
    want_input = labels[:, 0] == -1
    want_output = np.take_along_axis(labels, v - 1, axis=1)[:, 0] == -2
    middle = (pos > 0) & (pos < v - 1)
    middle_ok = np.where(middle, np.isin(labels, (0, 1, 2)), True).all(axis=1)
    pad_ok = np.where(pos >= v, labels == PAD_LABEL, True).all(axis=1)
    labels_ok = want_input & want_output & middle_ok & pad_ok
    if not labels_ok.all():
        i = _first(~labels_ok)
        problems.append(f"ops: {_count(~labels_ok, n)} are not input, operations, output and "
                        f"padding (row {i}: {labels[i].tolist()})")
    inside = (pos < v)[:, :, None] & (pos < v)[:, None, :]
    upper = np.triu(np.ones((MAX_VERTICES, MAX_VERTICES), dtype=bool), 1)[None]
    adj_ok = (((adj == 0) | ((adj == 1) & inside & upper)).all(axis=(1, 2)))
    if not adj_ok.all():
        i = _first(~adj_ok)
        problems.append(f"adjacency: {_count(~adj_ok, n)} are not 0/1 upper-triangular "
                        f"matrices within num_vertices (row {i})")
    return sizes_ok & labels_ok & adj_ok, problems


def _hash_problems(table: Table, rows_ok: np.ndarray, progress: Progress | None) -> list[str]:
    """Recompute every well-formed row's hash from its spec and compare."""
    n = table.cells
    idx = np.flatnonzero(rows_ok)
    bad: list[int] = []
    got_first: str | None = None
    for start in range(0, len(idx), HASH_CHUNK):
        part = idx[start:start + HASH_CHUNK]
        got = hash_many(np.asarray(table.adjacency[part]), np.asarray(table.labels[part]),
                        np.asarray(table.num_vertices[part]))
        recorded = table.hashes[part]
        for j, (h, r) in enumerate(zip(got, recorded.tolist())):
            if h is None or h.encode("ascii") != r:
                if not bad:
                    got_first = h
                bad.append(int(part[j]))
        if progress is not None:
            progress(min(start + HASH_CHUNK, len(idx)), len(idx))
    if not bad:
        return []
    i = bad[0]
    spec = "prunes to nothing" if got_first is None else f"hashes to {got_first}"
    return [f"hash column: {len(bad):,} of {n:,} rows hold a hash that is not the hash of "
            f"their spec (row {i}: {table.hashes[i].decode('ascii', 'replace')} recorded, the "
            f"spec {spec}); the column does not belong to these specs"]


def _range_problems(name: str, values: np.ndarray) -> list[str]:
    v = np.asarray(values)
    if v.dtype.kind not in "iuf":
        return [f"{name}: values of type {v.dtype} are not numbers"]
    if v.dtype.kind == "f":
        present = ~np.isnan(v)
        x = np.where(present, v, 0)
        if not np.isfinite(x).all():
            return [f"{name}: {_count(~np.isfinite(x).reshape(len(v), -1).all(axis=1), len(v))}"
                    " hold an infinite value"]
    else:
        x = v
    high = 1.0 if name in ACCURACIES else None
    low_bad = x < 0
    high_bad = x > high if high is not None else np.zeros_like(low_bad)
    out_of_range = (low_bad | high_bad).reshape(len(v), -1).any(axis=1)
    if not out_of_range.any():
        return []
    i = _first(out_of_range)
    flat = x.reshape(len(v), -1)[i]
    value = flat[((flat < 0) | (flat > high)) if high is not None else flat < 0][0]
    span = "0..1 (a fraction, not a percentage)" if high is not None else "0 or more"
    return [f"{name}: {_count(out_of_range, len(v))} hold values outside {span} "
            f"(row {i}: {value.item()})"]
