"""The study's own growth mutation (`grow(…, redraw = false)`): one pass of its loop.

nasdsl's default `grow` redraws until a move applies, so only the ratio of the two rates
matters. The regularized-evolution study on NORD instead drew each rate once per child: a
child that drew no mutation is a copy of its parent, and a child that outgrew the
benchmark's limits got nothing from it. Those children still cost an evaluation, which is
why the study's results depend on the absolute rates; this module keeps that behaviour.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nasdsl.spaces.cell import Cell
from nasdsl.spaces.grow import split_rows

if TYPE_CHECKING:
    from nasdsl.spaces.cell_space import CellSpace


def grow_once(space: "CellSpace", arch: Cell, rng: np.random.Generator,
              add_node: float, add_connection: float) -> Cell:
    """Two independent draws, from one vector of seven uniforms taken whatever fires (so a
    run's stream does not depend on which mutations applied):

    1. with probability `add_node`, a layer: an origin drawn uniformly among the vertices
       with an outgoing connection, one of its connections u→v uniformly, replaced by
       u→new→v (the new vertex just before v, its op uniform among the space's ops);
    2. then, with probability `add_connection`, a connection: two vertices drawn uniformly
       and independently; the same vertex twice, or a pair already connected, changes
       nothing, else the earlier is connected to the later.

    Nothing applied: the parent itself comes back. The child is not checked against the
    space: one over its vertex or edge limits is evaluated as `invalid`. The study's cells
    never hold a vertex off every input→output path; a parent that does is mutated pruned."""
    coin_node, origin_pick, target_pick, op_pick, coin_link, a, b = rng.random(7).tolist()
    node, link = coin_node < add_node, coin_link < add_connection
    if not node and not link:
        return arch
    base = arch.pruned() if arch.is_connected else arch
    rows, ops = list(base._rows), base.ops
    changed = False
    if node:
        sources = [i for i, r in enumerate(rows) if r]
        if sources:
            u = sources[int(origin_pick * len(sources))]
            targets = [j for j in range(len(rows)) if rows[u] >> j & 1]
            v = targets[int(target_pick * len(targets))]
            op = space.ops[int(op_pick * len(space.ops))]
            rows = split_rows(rows, u, v)
            ops = (*ops[:v], op, *ops[v:])
            changed = True
    if link:
        n = len(rows)
        i, j = sorted((int(a * n), int(b * n)))
        if i != j and not rows[i] >> j & 1:
            rows[i] |= 1 << j
            changed = True
    return Cell._trusted(rows, tuple(ops)) if changed else arch
