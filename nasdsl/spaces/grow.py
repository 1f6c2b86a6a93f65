"""The `grow` mutation of the cell space (NORD's growth, Kyriakides and Margaritis): the
moves of one parent, found once on bitmasks, remembered by the space's `Grower`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from nasdsl import hashing
from nasdsl.spaces.cell import Cell, Matrix, Rows, pruned_size

if TYPE_CHECKING:
    from nasdsl.spaces.cell_space import CellSpace

MEMO_LIMIT = 1 << 11
"""Parents whose growth moves are remembered (each a few hundred bytes plus the children
built from it; a regularized evolution mutates a few parents over and over)."""


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


def split_rows(rows: Rows, u: int, v: int) -> list[int]:
    """Rows after replacing u→v by u→new→v, the new vertex placed just before v."""
    low = (1 << v) - 1
    new = [(r & low) | ((r >> v) << (v + 1)) for r in rows]
    new.insert(v, 1 << (v + 1))
    new[u] = (new[u] & ~(1 << (v + 1))) | (1 << v)
    return new


class Grower:
    """Draws `grow` children for one space and remembers the moves of recent parents."""

    def __init__(self, space: "CellSpace"):
        self.space = space
        self._memo: dict[tuple[Matrix, tuple[str, ...]], _GrowMoves] = {}

    def __len__(self) -> int:
        """Parents whose moves are remembered."""
        return len(self._memo)

    def grow(self, arch: Cell, rng: np.random.Generator, add_node: float,
             add_connection: float) -> Cell:
        """See `CellSpace.grow`."""
        if add_node <= 0 and add_connection <= 0:
            return arch
        p_node = min(max(add_node, 0.0), 1.0)
        p_link = max(min(max(add_node + add_connection, 0.0), 1.0) - p_node, 0.0)
        moves = self.moves(arch)
        k = len(self.space.ops)
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
                child = Cell._trusted(split_rows(moves.base_rows, u, v),
                                      (*moves.base_ops[:v], self.space.ops[op], *moves.base_ops[v:]))
            else:
                rows = list(arch._rows)
                rows[u] |= 1 << v
                child = Cell._trusted(rows, arch.ops)
            moves.children[key] = child
        return child

    def moves(self, arch: Cell) -> "_GrowMoves":
        """The parent's grow moves and which of them give a valid, different child."""
        key = (arch.matrix, arch.ops)
        moves = self._memo.get(key)
        if moves is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            moves = self._memo[key] = self._find(arch)
        return moves

    def _find(self, arch: Cell) -> _GrowMoves:
        """Enumerate the parent's moves and keep those giving a valid, different child.

        A move off every input→output path (a layer on a connection u→v, or a connection
        i→j, where the input does not reach u or i, or v or j does not reach the output)
        leaves the pruned graph as it was: the child is the parent again, or as invalid as
        it. A move on a path adds a vertex or an edge to the pruned graph, so the child
        differs from the parent exactly when its pruned (vertices, edges) differ, and no
        hash is needed. Moves that would exceed the space's limits are skipped unbuilt."""
        space = self.space
        rows, ops, n = arch._rows, arch.ops, arch.num_vertices
        size: tuple[int, int] | None = None  # a parent without a hash: any valid child is new
        room_vertex = room_edge = True
        if arch._pruning is not None and arch.hash is not None:
            size = pruned_size(arch._pruning)
            room_vertex, room_edge = size[0] < space.vertices, size[1] < space.edges
        fit = space.fit

        def new(child_rows: Sequence[int], child_ops: Sequence[str]) -> bool:
            got = fit(child_rows, child_ops)
            return got is not None and pruned_size(got) != size

        base_rows, base_ops = rows, ops
        connections: list[tuple[int, int]] = []
        if n < space.vertices or (arch._pruning is not None
                                 and len(arch._pruning[1]) < space.vertices):
            if n >= space.vertices:
                base_rows, base_ops = tuple(arch._pruning[0]), tuple(ops[i] for i in
                                                                        arch._pruning[1])
            connections = [(i, j) for i, r in enumerate(base_rows)
                           for j in range(i + 1, len(base_rows)) if r >> j & 1]
        splits: tuple[tuple[int, int], ...] = ()
        if connections and room_vertex and room_edge:
            forward, backward = hashing.reach(base_rows)
            on_path = [(u, v) for u, v in connections if forward >> u & 1 and backward >> v & 1]
            if space.topology == "dag":
                # A layer on a path subdivides a connection of the pruned graph: one vertex
                # and one edge more, the same ops plus one of the space's. So the child is
                # valid exactly when the parent is (with room for both).
                splits = tuple(on_path) if size is not None and space.is_valid(arch) else ()
            else:  # a bare input→output is no chain, but a layer makes it one
                probe = space.ops[0]  # a layer's op is one of the space's: one stands for all
                splits = tuple((u, v) for u, v in on_path
                               if new(split_rows(base_rows, u, v),
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
