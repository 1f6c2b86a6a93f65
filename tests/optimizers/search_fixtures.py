"""A tiny space for pinning search semantics: architectures are fresh integer ids, fitness is
a fixed random value per id, and every mutation records its parent."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nasdsl.plan import Call
from nasdsl.result import Result


@dataclass
class CountingSpace:
    """Ids in creation order; `parents[i]` is the parent of the i-th mutation."""

    next_id: int = 0
    parents: list[int] = field(default_factory=list)
    samples: int = 0

    def sample(self, rng: np.random.Generator) -> int:
        rng.random()  # consume randomness like a real space would
        self.samples += 1
        return self._new()

    def mutate(self, arch: int, rng: np.random.Generator, mutation: Call) -> int:
        assert isinstance(mutation, Call)
        self.parents.append(arch)
        return self._new()

    def to_descriptor(self, arch: int) -> dict:
        return {"layers": {"id": [arch, None]}, "connections": {}}

    def _new(self) -> int:
        self.next_id += 1
        return self.next_id - 1


@dataclass
class TableEvaluator:
    """Fitness of id i is `values[i]`; ids in `invalid` are refused."""

    values: np.ndarray
    invalid: frozenset[int] = frozenset()
    cost: float = 1.0

    def evaluate(self, arch: int) -> Result:
        if arch in self.invalid:
            return Result.invalid("refused")
        return Result(fitness=float(self.values[arch]), cost_seconds=self.cost)
