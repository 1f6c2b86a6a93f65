"""What every search space offers. Optimizers use only this; they never look inside an
architecture. Architectures are immutable, hashable values owned by their space."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Hashable

import numpy as np

from nasdsl.plan import Call

if TYPE_CHECKING:
    from nasdsl.spaces.environment import Environment


class Space(ABC):
    """A set of architectures with sampling, mutation and a fixed-length vector encoding.

    `rng` is always a `numpy.random.Generator` owned by the run, so a run is replayable from
    its seed. Mutations return a new, valid architecture of the space.
    """

    kind: str

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Hashable: ...

    def mutate(self, arch: Hashable, rng: np.random.Generator, mutation: Call) -> Hashable:
        """Apply the mutation named by a `.nas` call value (`grow(...)`, `flip(...)`)."""
        if mutation.name == "grow":
            return self.grow(arch, rng, **dict(mutation.args))
        if mutation.name == "flip":
            return self.flip(arch, rng, **dict(mutation.args))
        raise ValueError(f"unknown mutation {mutation.name!r}")

    @abstractmethod
    def grow(self, arch: Hashable, rng: np.random.Generator,
             add_node: float = 0.1, add_connection: float = 0.1,
             redraw: bool = True) -> Hashable:
        """Add a layer or a connection; `redraw=False` draws once (the child may be the
        parent)."""

    @abstractmethod
    def flip(self, arch: Hashable, rng: np.random.Generator, rate: float = 1.0) -> Hashable: ...

    # --- vector encoding (pygmo, DQN) -------------------------------------------------
    @abstractmethod
    def encode(self, arch: Hashable) -> np.ndarray:
        """The architecture as a vector of integers (int64) within `bounds`."""

    @abstractmethod
    def decode(self, x: np.ndarray) -> Hashable:
        """Any vector within bounds decodes to an architecture; it may be invalid."""

    @property
    @abstractmethod
    def bounds(self) -> tuple[np.ndarray, np.ndarray]: ...

    @property
    @abstractmethod
    def nix(self) -> int:
        """Number of integer dimensions (pygmo's convention: the last `nix` ones)."""

    # --- identity ----------------------------------------------------------------------
    @abstractmethod
    def is_valid(self, arch: Hashable) -> bool: ...

    def repair(self, arch: Hashable) -> Hashable | None:
        """The architecture of the space nearest to `arch` (`arch` itself when valid), or
        None when the space has no rule for it. Vector searches can land outside a space."""
        return arch if self.is_valid(arch) else None

    @abstractmethod
    def invalid_reason(self, arch: Hashable) -> str | None:
        """Why an architecture is outside the space, or None when it is inside."""

    @abstractmethod
    def key(self, arch: Hashable) -> str:
        """Identity of the architecture: equal for the same architecture (isomorphic cells)."""

    @abstractmethod
    def canonical(self, arch: Hashable) -> str:
        """Text form that `parse` turns back into the same architecture."""

    @abstractmethod
    def parse(self, text: str) -> Hashable: ...

    @abstractmethod
    def size(self) -> int:
        """Exact count of distinct architectures in the space."""

    @abstractmethod
    def to_descriptor(self, arch: Hashable) -> Any: ...

    @abstractmethod
    def from_descriptor(self, descriptor: Any) -> Hashable: ...

    # --- decisions (DQN, PPO) --------------------------------------------------------------
    def environment(self) -> Environment:
        """The space as a sequence of decisions (`nasdsl.spaces.environment`), what a
        reinforcement-learning controller acts in; a new one on each call. ValueError when
        the space has none (the default) or cannot offer one with these settings."""
        raise ValueError(f"{type(self).__name__} offers no decision environment, so `dqn` and "
                         "`ppo` cannot search it (give the class an `environment()` method)")
