"""The global space as a sequence of decisions (see `nasdsl.spaces.environment`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nasdsl.spaces.environment import (MAX_ACTIONS, STOP, Environment, Episode, count_sets,
                                       many, subsets)
from nasdsl.spaces.global_arch import GlobalArch

if TYPE_CHECKING:
    from nasdsl.spaces.global_space import GlobalSpace


class GlobalEnvironment(Environment):
    """Stacks built layer by layer; actions: the (op, filters) choices, `stop`, then the skip
    sets (every set of at most `skips` layers two or more below, the empty set included)."""

    def __init__(self, space: GlobalSpace):
        self.space = space
        self.choices = tuple(space._choices)
        reach = max(space.hi - 2, 0)  # sources a skip into the deepest layer can come from
        most = min(space.skips, reach)
        actions = len(self.choices) + 1 + (count_sets(reach, 0, most) if space.skips else 1)
        if actions > MAX_ACTIONS:
            raise ValueError(f"a controller over {space!r} would have {many(actions)} actions "
                             f"(most {MAX_ACTIONS}); allow fewer skips or layers")
        self.skip_sets = subsets(reach, 0, most) if space.skips > 0 else (0,)
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
