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

This module holds the contract (`Environment`, `Episode`) and what every environment shares;
a space gives its own from `Space.environment()` (the cell space's in `cell_environment`,
the global space's in `global_environment`, a user's space its own), so a controller
searches any space that has one.

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
from typing import TYPE_CHECKING, Any, Hashable, Sequence

import numpy as np

if TYPE_CHECKING:
    from nasdsl.spaces.base import Space

STOP = "stop"
MAX_ACTIONS = 4096
"""Most actions an environment offers (a set-valued decision over many earlier vertices or
layers would need more)."""


def count_sets(n: int, least: int, most: int) -> int:
    """Subsets of n elements with least..most members, counted without listing them."""
    return sum(math.comb(n, k) for k in range(least, min(most, n) + 1))


def subsets(n: int, least: int, most: int) -> tuple[int, ...]:
    """Those subsets as bitmasks in increasing order; their number is checked first (listing
    every one of 2^n masks and keeping the few small ones would not end for a deep space)."""
    return tuple(sorted(sum(1 << j for j in members) for k in range(least, min(most, n) + 1)
                        for members in itertools.combinations(range(n), k)))


def many(count: int) -> str:
    return f"{count:,}" if count < 10 ** 12 else "more than 10^12"


_HALFWORD_BITS = np.array([k.bit_count() for k in range(1 << 16)], dtype=np.int64)


def popcount(masks: np.ndarray) -> np.ndarray:
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


def make_environment(space: Space) -> Environment:
    """The environment of a space: its own (`Space.environment`); ValueError for a space
    that has none."""
    return space.environment()


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
