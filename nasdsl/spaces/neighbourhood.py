"""Neighbourhoods for local searches: the architectures one small edit away.

A cell's neighbours (White, Nolen & Savani 2020) are the cells that differ from it by one op
changed or one edge flipped, on any drawing of the cell on the space's vertices: an unused
vertex may already hang from a vertex `u`, so one flipped edge to `w` inserts a layer
`u → new → w`. So the moves on the pruned cell are: change a hidden op, add or remove an
edge (removal prunes what it disconnects), insert a layer between two vertices. Every
candidate goes through the space's own `is_valid`, so the neighbourhood stays inside
whatever the space declares (vertex and edge limits, `topology = chain`, ...); a chain's
neighbours only change ops, since any edge flip breaks a chain.

Other spaces get the generic neighbourhood of their vector encoding: one coordinate set to
another value within bounds, decoded, kept when valid.
"""
from __future__ import annotations

from typing import Any, Hashable

from nasdsl.spaces.base import Space


def neighbours(space: Space, arch: Hashable) -> list[Hashable]:
    """The distinct valid architectures one edit from `arch`, in a fixed order (the caller
    shuffles), never `arch` itself; empty for an architecture outside the space."""
    from nasdsl.spaces.cell import Cell

    if isinstance(arch, Cell) and hasattr(space, "ops"):
        candidates = _cell_moves(space, arch)
    else:
        candidates = _vector_moves(space, arch)
    return _distinct_valid(space, arch, candidates)


def _distinct_valid(space: Space, arch: Hashable, candidates: list[Any]) -> list[Hashable]:
    try:
        own = space.key(arch)
    except Exception:  # an architecture the space cannot name has no neighbourhood
        return []
    out: dict[str, Hashable] = {}
    is_valid, key = space.is_valid, space.key
    for child in candidates:
        if is_valid(child):
            k = key(child)
            if k != own and k not in out:
                out[k] = child
    return list(out.values())


def _cell_moves(space: Any, arch: Any) -> list[Any]:
    from nasdsl.spaces.cell import Cell

    if not arch.is_connected:
        return []
    cell = arch.pruned()
    rows, ops = list(cell._rows), cell.ops
    n = len(rows)
    moves: list[Any] = []
    for h in range(1, n - 1):  # one hidden op changed
        for op in space.ops:
            if op != ops[h]:
                moves.append(Cell._trusted(rows, (*ops[:h], op, *ops[h + 1:])))
    for i in range(n - 1):  # one edge flipped
        for j in range(i + 1, n):
            child = list(rows)
            child[i] ^= 1 << j
            moves.append(Cell._trusted(child, ops))
    if n < space.vertices:  # a layer inserted: u -> new -> w, new placed just after u
        for u in range(n - 1):
            k = u + 1
            low = (1 << k) - 1
            shifted = [(r & low) | ((r >> k) << (k + 1)) for r in rows]
            for w in range(k, n):
                child = list(shifted)
                child.insert(k, 1 << (w + 1))
                child[u] |= 1 << k
                for op in space.ops:
                    moves.append(Cell._trusted(child, (*ops[:k], op, *ops[k:])))
    return moves


def _vector_moves(space: Space, arch: Hashable) -> list[Hashable]:
    x = space.encode(arch)
    lower, upper = space.bounds
    moves = []
    for i, value in enumerate(x.tolist()):
        for v in range(int(lower[i]), int(upper[i]) + 1):
            if v != int(round(value)):
                y = x.copy()
                y[i] = v
                moves.append(space.decode(y))
    return moves
