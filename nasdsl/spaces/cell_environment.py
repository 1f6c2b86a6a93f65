"""The cell space as a sequence of decisions (see `nasdsl.spaces.environment`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nasdsl.ops import INPUT, OUTPUT
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.environment import (MAX_ACTIONS, STOP, Environment, Episode, count_sets,
                                       many, popcount, subsets)

if TYPE_CHECKING:
    from nasdsl.spaces.cell_space import CellSpace


class CellEnvironment(Environment):
    """Cells built vertex by vertex; actions: the ops, `stop`, then the input sets (every
    non-empty set of at most `inputs` earlier vertices; the output's must hold every vertex
    that feeds nothing yet)."""

    def __init__(self, space: CellSpace):
        self.space = space
        v = space.vertices
        self.fan_in = v - 1 if space.inputs is None else min(space.inputs, v - 1)
        if space.topology == "chain":
            self.fan_in = 1  # a cell whose vertices have one input each is a chain
        actions = len(space.ops) + 1 + count_sets(v - 1, 1, self.fan_in)
        if actions > MAX_ACTIONS:
            raise ValueError(f"a controller over {space!r} would have {many(actions)} actions "
                             f"(most {MAX_ACTIONS}); set `inputs` to limit the input sets")
        self.input_sets = subsets(v - 1, 1, self.fan_in)
        names = [*space.ops, STOP] + [
            "inputs " + "+".join(str(j) for j in range(v - 1) if s >> j & 1)
            for s in self.input_sets]
        self.action_names = tuple(names)
        self.stop = len(space.ops)
        self.first_set = self.stop + 1
        self.slots = 2 * (v - 1)
        # Ops of vertices 1 … V-2 (at V-1 only `stop` is left), then, unless every vertex
        # reads exactly the one open vertex, the inputs of vertices 2 … V-2 (vertex 1 can
        # read only the input) and of the output.
        self.max_decisions = (v - 2) + (0 if self.fan_in == 1 else v - 2)
        sets = np.array(self.input_sets, dtype=np.int64)
        self._sets = sets
        self._set_sizes = np.array([s.bit_count() for s in self.input_sets], dtype=np.int64)
        self._set_top = np.array([s.bit_length() for s in self.input_sets], dtype=np.int64)
        """Vertex t may read a set only when every member is below t: top <= t."""

    def reset(self) -> "CellEpisode":
        episode = CellEpisode(self)
        episode._settle()
        return episode

    def completable(self, vertices: int, open_count: np.ndarray, edges: np.ndarray
                    ) -> np.ndarray:
        """Whether a cell with `vertices` vertices so far, `open_count` of them feeding
        nothing yet and `edges` edges can still be finished within the space's limits
        (elementwise over the last two).

        The cheapest finish: the output reads every open vertex; when more are open than a
        vertex may read, each extra layer gathers `fan_in` of them into one. Each open vertex
        and each extra layer then costs one edge, so fewer layers is cheaper in both."""
        n = self.fan_in
        over = np.maximum(open_count - n, 0)
        if n < 2:
            extra = np.where(over > 0, self.space.vertices, 0)  # no finish: fails below
        else:
            extra = -(-over // (n - 1))
        return ((vertices + extra + 1 <= self.space.vertices)
                & (edges + open_count + extra <= self.space.edges))


class CellEpisode(Episode):
    environment: CellEnvironment

    def __init__(self, environment: CellEnvironment):
        super().__init__(environment)
        self.ops: list[str] = [INPUT]
        self.rows: list[int] = [0]
        self.open = 1  # vertices feeding nothing yet (bitmask): the input
        self.edges = 0
        self.reading = False  # deciding the inputs of the last vertex (else the next op)
        self.output = False   # the last vertex is the output
        self.slot = 0

    def _allowed(self) -> np.ndarray:
        env = self.environment
        mask = np.zeros(env.num_actions, dtype=bool)
        if not self.reading:
            t = len(self.ops)
            self.slot = t - 1
            if t <= env.space.vertices - 2 and self._hidden_sets(t).any():
                mask[:env.stop] = True
            open_count = self.open.bit_count()
            chain_short = env.space.topology == "chain" and t < 2
            if (not chain_short and open_count <= env.fan_in
                    and self.edges + open_count <= env.space.edges):
                mask[env.stop] = True
        else:
            t = len(self.ops) - 1
            self.slot = env.slots // 2 + t - 1
            sets = self._output_sets(t) if self.output else self._hidden_sets(t)
            mask[env.first_set:] = sets
        return mask

    def _hidden_sets(self, t: int) -> np.ndarray:
        """Which input sets let a hidden vertex t be part of a finished cell."""
        env = self.environment
        open_after = popcount(self.open & ~env._sets) + 1
        return (env._set_top <= t) & env.completable(t + 1, open_after,
                                                      self.edges + env._set_sizes)

    def _output_sets(self, t: int) -> np.ndarray:
        """Input sets of the output at t: every open vertex among them, within the limits."""
        env = self.environment
        return ((env._set_top <= t) & ((env._sets & self.open) == self.open)
                & (self.edges + env._set_sizes <= env.space.edges))

    def _apply(self, action: int) -> None:
        env = self.environment
        if not self.reading:
            self.output = action == env.stop
            self.ops.append(OUTPUT if self.output else env.space.ops[action])
            self.rows.append(0)
            self.reading = True
            return
        t = len(self.ops) - 1
        chosen = env.input_sets[action - env.first_set]
        for j in range(t):
            if chosen >> j & 1:
                self.rows[j] |= 1 << t
        self.edges += chosen.bit_count()
        self.open = (self.open & ~chosen) | (0 if self.output else 1 << t)
        self.reading = False
        self.done = self.output

    def architecture(self) -> Cell:
        if not self.done:
            raise ValueError("the cell is not finished")
        n = len(self.rows)
        matrix = tuple(tuple((r >> j) & 1 for j in range(n)) for r in self.rows)
        return Cell(matrix, tuple(self.ops))
