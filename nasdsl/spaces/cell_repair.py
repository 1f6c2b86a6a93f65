"""The valid cell nearest to one that is not: what a vector search's step lands on.

A vector of the cell encoding (ops + upper-triangle edges) decodes to a cell that may be
outside the space: its output unreachable from its input, or more edges after pruning than
the space allows (`vertices` always fit, since the vector has that many). `repair` changes as
few edges as its greedy steps can, keeping the ops:

1. A disconnected cell gets one edge u→v with u reached from the input and v reaching the
   output: the one that brings the most vertices onto an input→output path (then the most
   edges; then the first in vector order).
2. While the pruned cell has more edges than the space allows, one edge of it is dropped:
   among those whose removal keeps the output reachable, the one that leaves the most edges
   (then the most vertices; then the first in vector order). Dropping an edge can take a
   vertex off every path, and its other edges with it; preferring the edge that leaves the
   most keeps the repaired cell as close to the vector as the greedy step can. When every
   edge is needed (one path longer than the space allows, only in spaces of few edges) the
   input→output edge is added, to stay, and the dropping goes on.

The result is a function of the cell alone (no randomness), so replayed runs repair alike.
Chain spaces are not repaired (a chain is one fixed shape per depth).
"""
from __future__ import annotations

from typing import Sequence

from nasdsl import hashing

_MEMO_LIMIT = 1 << 14
_MEMO: dict[tuple, tuple[int, ...] | None] = {}
"""(rows, edge limit) -> repaired rows; emptied when full (searches revisit cells)."""


def repaired_rows(rows: Sequence[int], max_edges: int) -> tuple[int, ...] | None:
    """Successor bitmasks of the repaired cell (equal to `rows` when the cell is connected
    and within `max_edges`), or None when no cell of the space is within reach."""
    key = (tuple(rows), max_edges)
    found = _MEMO.get(key, key)
    if found is not key:
        return found
    result = _repair(list(rows), max_edges)
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    found = _MEMO[key] = None if result is None else tuple(result)
    return found


def _size(rows: Sequence[int]) -> tuple[int, int] | None:
    """(vertices, edges) after pruning, None when the output is unreachable."""
    n = len(rows)
    forward, backward = hashing.reach(rows)
    keep = forward & backward
    if not keep & 1:
        return None
    edges = 0
    vertices = 0
    for v in range(n):
        if keep >> v & 1:
            vertices += 1
            edges += (rows[v] & keep).bit_count()
    return vertices, edges


def _pairs(n: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(n - 1) for j in range(i + 1, n)]


def _first_redundant(rows: list[int], keep: int,
                     kept_edge: tuple[int, int] | None) -> tuple[int, int] | None:
    """The first edge u→v of the pruned cell, in vector order, whose u has another edge out
    and whose v has another edge in: removing it takes no vertex off the paths, so the cell
    loses exactly that edge (found by counting, without a reachability pass per edge)."""
    n = len(rows)
    out = [(rows[u] & keep).bit_count() if keep >> u & 1 else 0 for u in range(n)]
    into = [0] * n
    for u in range(n):
        if out[u]:
            bits = rows[u] & keep
            for v in range(u + 1, n):
                if bits >> v & 1:
                    into[v] += 1
    for u, v in _pairs(n):
        if (out[u] > 1 and into[v] > 1 and keep >> u & 1 and keep >> v & 1
                and rows[u] >> v & 1 and (u, v) != kept_edge):
            return u, v
    return None


def _repair(rows: list[int], max_edges: int) -> list[int] | None:
    n = len(rows)
    if n < 2:
        return None
    size = _size(rows)
    if size is None:
        forward, backward = hashing.reach(rows)
        best: tuple[tuple[int, int], int, int] | None = None
        for u, v in _pairs(n):
            if forward >> u & 1 and backward >> v & 1 and not rows[u] >> v & 1:
                rows[u] |= 1 << v
                got = _size(rows)
                rows[u] &= ~(1 << v)
                if got is not None and (best is None or got > best[0]):
                    best = (got, u, v)
        if best is None:  # unreachable for n >= 2: input→output is always a candidate
            return None
        size, u, v = best
        rows[u] |= 1 << v
    shortcut = False
    while size[1] > max_edges:
        forward, backward = hashing.reach(rows)
        keep = forward & backward
        redundant = _first_redundant(rows, keep, (0, n - 1) if shortcut else None)
        if redundant is not None:  # loses one edge and no vertex: the best any removal does
            u, v = redundant
            rows[u] &= ~(1 << v)
            size = (size[0], size[1] - 1)
            continue
        choice: tuple[tuple[int, int], int, int] | None = None
        for u, v in _pairs(n):
            if shortcut and (u, v) == (0, n - 1):
                continue
            if keep >> u & 1 and keep >> v & 1 and rows[u] >> v & 1:
                rows[u] &= ~(1 << v)
                got = _size(rows)
                rows[u] |= 1 << v
                if got is not None and (choice is None or (got[1], got[0]) > (
                        choice[0][1], choice[0][0])):
                    choice = (got, u, v)
        if choice is None:  # every edge is a bridge: a single path longer than allowed
            if shortcut:
                return None  # cannot happen: beside input→output every edge can go
            rows[0] |= 1 << (n - 1)
            shortcut = True
            size = _size(rows)
            continue
        size, u, v = choice
        rows[u] &= ~(1 << v)
    return rows
