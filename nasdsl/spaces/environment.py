"""A search space as a sequence of decisions: what a reinforcement-learning controller acts in.

One episode builds one architecture of the space, decision by decision. A cell is built vertex
by vertex in topological order: the op of the next layer (or `stop`, which makes the next
vertex the output, where shorter cells are allowed), then the layer's inputs, one action
naming the whole set of earlier vertices it reads. A global architecture is built layer by
layer: the layer's (op, filters) or `stop`, then the set of earlier layers that skip into it.

Invalid actions are masked, and the masks are exact: an action is allowed exactly when some
way of finishing the episode gives an architecture of the space. So every episode ends in an
architecture of the space, and every architecture of the space is the end of some episode
(a cell through its pruned spec: every vertex on an input→output path). A decision with one
allowed action is taken by the environment and is not shown to the controller.

States are integer token sequences, one encoding for every controller: the decisions so far,
each one token `1 + slot × actions + action` (a slot is a kind of decision: "op of vertex 3",
"inputs of vertex 3"), then one token for the pending decision's slot, then zeros. A dense
network reads the set of tokens, an LSTM the sequence; both see the whole history.
"""
from __future__ import annotations

import copy
import itertools
import math
from abc import ABC, abstractmethod
from typing import Any, Hashable, Sequence

import numpy as np

from nasdsl.ops import INPUT, OUTPUT
from nasdsl.spaces.base import Space
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace

STOP = "stop"
MAX_ACTIONS = 4096
"""Most actions an environment offers (a set-valued decision over many earlier vertices or
layers would need more)."""


def _count_sets(n: int, least: int, most: int) -> int:
    """Subsets of n elements with least..most members, counted without listing them."""
    return sum(math.comb(n, k) for k in range(least, min(most, n) + 1))


def _sets(n: int, least: int, most: int) -> tuple[int, ...]:
    """Those subsets as bitmasks in increasing order; their number is checked first (listing
    every one of 2^n masks and keeping the few small ones would not end for a deep space)."""
    return tuple(sorted(sum(1 << j for j in members) for k in range(least, min(most, n) + 1)
                        for members in itertools.combinations(range(n), k)))


def _many(count: int) -> str:
    return f"{count:,}" if count < 10 ** 12 else "more than 10^12"


_HALFWORD_BITS = np.array([k.bit_count() for k in range(1 << 16)], dtype=np.int64)


def _popcount(masks: np.ndarray) -> np.ndarray:
    """Set bits of each mask below 2^32 (a cell's vertex sets), by 16-bit table lookups."""
    return _HALFWORD_BITS[masks & 0xFFFF] + _HALFWORD_BITS[(masks >> 16) & 0xFFFF]


class Episode(ABC):
    """One architecture being built. `mask()` says which actions are allowed now, `step(a)`
    takes one, `done` says whether the architecture is complete."""

    def __init__(self, environment: "Environment"):
        self.environment = environment
        self.decisions: list[tuple[int, int]] = []
        """(slot, action) of every decision the controller took, in order."""
        self.done = False
        self.slot = -1
        self._mask: np.ndarray | None = None

    def mask(self) -> np.ndarray:
        """Boolean vector over the environment's actions: True where allowed."""
        if self._mask is None:
            self._mask = self._allowed()
        return self._mask

    def step(self, action: int) -> None:
        """Take `action` (an allowed one), then every decision that leaves no choice."""
        action = int(action)
        if self.done:
            raise ValueError("the episode is over")
        if not 0 <= action < self.environment.num_actions or not self.mask()[action]:
            raise ValueError(f"action {action} ({self.environment.action_name(action)}) is "
                             "not allowed now")
        self.decisions.append((self.slot, action))
        self._apply(action)
        self._settle()

    def _settle(self) -> None:
        """Take forced decisions until a real choice (or the end) is reached."""
        while True:
            self._mask = None
            if self.done:
                self.slot = -1
                return
            mask = self.mask()
            allowed = np.flatnonzero(mask)
            if len(allowed) == 0:  # cannot happen with exact masks: say so loudly
                raise RuntimeError(f"no allowed action in slot {self.slot} of "
                                   f"{self.environment.space!r}")
            if len(allowed) > 1:
                return
            self._apply(int(allowed[0]))

    def copy(self) -> "Episode":
        """An independent episode in the same state."""
        twin = copy.copy(self)
        for name, value in vars(self).items():
            if isinstance(value, (list, set)):
                setattr(twin, name, copy.copy(value))
        return twin

    def tokens(self) -> np.ndarray:
        """The state: int32 tokens of the decisions so far, the pending slot, zero padding
        (length `environment.sequence_length`)."""
        env = self.environment
        out = np.zeros(env.sequence_length, dtype=np.int32)
        a = env.num_actions
        for k, (slot, action) in enumerate(self.decisions):
            out[k] = 1 + slot * a + action
        if not self.done:
            out[len(self.decisions)] = 1 + env.slots * a + self.slot
        return out

    @abstractmethod
    def _allowed(self) -> np.ndarray: ...

    @abstractmethod
    def _apply(self, action: int) -> None: ...

    @abstractmethod
    def architecture(self) -> Hashable:
        """The architecture built (only when `done`)."""


class Environment(ABC):
    """The decision view of one space: `reset()` starts an episode."""

    space: Space
    action_names: tuple[str, ...]
    slots: int
    """Kinds of decision; each is taken at most once per episode."""

    @property
    def num_actions(self) -> int:
        return len(self.action_names)

    max_decisions: int
    """Most decisions the controller takes in one episode (forced ones left out)."""

    @property
    def sequence_length(self) -> int:
        """Length of a state's token sequence: every decision, then the pending one."""
        return self.max_decisions + 1

    @property
    def vocabulary(self) -> int:
        """Tokens are 0 (padding) … vocabulary - 1."""
        return 1 + self.slots * self.num_actions + self.slots

    def action_name(self, action: int) -> str:
        return self.action_names[action]

    @abstractmethod
    def reset(self) -> Episode: ...

    def replay(self, actions: Sequence[int]) -> Episode:
        """The episode after the controller's `actions` (forced ones left out)."""
        episode = self.reset()
        for a in actions:
            episode.step(a)
        return episode


# --- cells -------------------------------------------------------------------------------------

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
        actions = len(space.ops) + 1 + _count_sets(v - 1, 1, self.fan_in)
        if actions > MAX_ACTIONS:
            raise ValueError(f"a controller over {space!r} would have {_many(actions)} actions "
                             f"(most {MAX_ACTIONS}); set `inputs` to limit the input sets")
        self.input_sets = _sets(v - 1, 1, self.fan_in)
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
        open_after = _popcount(self.open & ~env._sets) + 1
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


# --- the global space --------------------------------------------------------------------------

class GlobalEnvironment(Environment):
    """Stacks built layer by layer; actions: the (op, filters) choices, `stop`, then the skip
    sets (every set of at most `skips` layers two or more below, the empty set included)."""

    def __init__(self, space: GlobalSpace):
        self.space = space
        self.choices = tuple(space._choices)
        reach = max(space.hi - 2, 0)  # sources a skip into the deepest layer can come from
        most = min(space.skips, reach)
        actions = len(self.choices) + 1 + (_count_sets(reach, 0, most) if space.skips else 1)
        if actions > MAX_ACTIONS:
            raise ValueError(f"a controller over {space!r} would have {_many(actions)} actions "
                             f"(most {MAX_ACTIONS}); allow fewer skips or layers")
        self.skip_sets = _sets(reach, 0, most) if space.skips > 0 else (0,)
        names = [op if f is None else f"{op}/{f}" for op, f in self.choices] + [STOP] + [
            "skips " + ("+".join(str(j) for j in range(reach) if s >> j & 1) or "none")
            for s in self.skip_sets]
        self.action_names = tuple(names)
        self.stop = len(self.choices)
        self.first_set = self.stop + 1
        self.slots = 2 * space.hi + 1
        # Layers 0 … hi-1 (then only `stop` is left), and the skips into layers 2 … hi-1.
        self.max_decisions = space.hi + (max(space.hi - 2, 0) if space.skips > 0 else 0)
        self._sets = np.array(self.skip_sets, dtype=np.int64)
        self._set_sizes = np.array([s.bit_count() for s in self.skip_sets], dtype=np.int64)
        self._set_top = np.array([s.bit_length() for s in self.skip_sets], dtype=np.int64)

    def reset(self) -> "GlobalEpisode":
        episode = GlobalEpisode(self)
        episode._settle()
        return episode


class GlobalEpisode(Episode):
    environment: GlobalEnvironment

    def __init__(self, environment: GlobalEnvironment):
        super().__init__(environment)
        self.layers: list[tuple[str, int | None]] = []
        self.skips: set[tuple[int, int]] = set()
        self.skipping = False  # deciding the skips into the last layer (else the next layer)

    def _allowed(self) -> np.ndarray:
        env, space = self.environment, self.environment.space
        mask = np.zeros(env.num_actions, dtype=bool)
        depth = len(self.layers)
        if not self.skipping:
            self.slot = depth
            if depth < space.hi:
                mask[:env.stop] = True
            if depth >= space.lo:
                mask[env.stop] = True
        else:
            j = depth - 1
            self.slot = space.hi + 1 + j
            left = space.skips - len(self.skips)
            # Sources of a skip into layer j are the layers 0 … j-2: set bits below j-1.
            mask[env.first_set:] = (env._set_top <= max(j - 1, 0)) & (env._set_sizes <= left)
        return mask

    def _apply(self, action: int) -> None:
        env = self.environment
        if not self.skipping:
            if action == env.stop:
                self.done = True
                return
            self.layers.append(env.choices[action])
            self.skipping = True
            return
        j = len(self.layers) - 1
        chosen = env.skip_sets[action - env.first_set]
        self.skips.update((i, j) for i in range(j) if chosen >> i & 1)
        self.skipping = False

    def architecture(self) -> GlobalArch:
        if not self.done:
            raise ValueError("the architecture is not finished")
        return GlobalArch(tuple(self.layers), frozenset(self.skips))


def make_environment(space: Space) -> Environment:
    """The environment of a space (cell or global); ValueError for any other."""
    if isinstance(space, CellSpace):
        return CellEnvironment(space)
    if isinstance(space, GlobalSpace):
        return GlobalEnvironment(space)
    raise ValueError(f"no decision environment for {type(space).__name__}")


def walk(environment: Environment, limit: int | None = None) -> list[Any]:
    """Every episode's architecture, by depth-first search over the allowed actions (for
    small spaces: the count grows with the space); stops after `limit` episodes."""
    out: list[Any] = []

    def visit(episode: Episode) -> bool:
        if episode.done:
            out.append(episode.architecture())
            return limit is None or len(out) < limit
        for a in np.flatnonzero(episode.mask()).tolist():
            child = episode.copy()
            child.step(a)
            if not visit(child):
                return False
        return True

    visit(environment.reset())
    return out
