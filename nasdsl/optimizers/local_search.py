"""Local search, as White, Nolen & Savani (2020) run it on NAS benchmarks.

Start from the best of `initial` random architectures; evaluate its neighbours (one op
changed or one edge flipped, see `nasdsl.spaces.neighbourhood`) in random order and move to
the first that is better; when no neighbour is better the climb is stuck at a local optimum,
and the search restarts from the best of `initial` new random architectures.

The search remembers what it paid for: an architecture it has evaluated (or an isomorphic
one) is never asked for again, its known fitness is used instead. Every request therefore
costs one new evaluation of the budget.
"""
from __future__ import annotations

from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.paid import Paid
from nasdsl.settings import IntType, Param, within_bounds
from nasdsl.settings.bounds import MAX_POPULATION
from nasdsl.spaces.base import Space
from nasdsl.spaces.neighbourhood import neighbours

INITIAL = Param("initial", IntType(1, MAX_POPULATION), 10, "random architectures each climb starts from (the best)")


class LocalSearch(Optimizer):
    """`initial` (default 10): random architectures each climb starts from (the best of
    them). Generations passed to `evaluate_batch` count climbs: climb g is generation g."""

    name: ClassVar[str] = "local_search"
    parameters: ClassVar = (INITIAL,)

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        """A climb's random starts; its neighbours one at a time."""
        return int(settings.get("initial", INITIAL.default))

    def __init__(self, space: Space, initial: int = INITIAL.default):
        initial = int(initial)
        if initial < 1:
            raise ValueError("initial must be at least 1")
        within_bounds(self.parameters, {"initial": initial})
        self.initial = initial
        super().__init__(space, initial=initial)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        paid = Paid(self.space, evaluate_batch, budget)
        climb = 0
        while not paid.spent:
            current, fitness = self._start(paid, rng, climb)
            if current is None:
                break
            while not paid.spent:
                moved = False
                around = neighbours(self.space, current)
                for i in rng.permutation(len(around)).tolist():
                    child = around[i]
                    value = paid.fitness(child, climb)
                    if value is None:  # the budget ended
                        return evaluate_batch.history
                    if value > fitness:
                        current, fitness, moved = child, value, True
                        break
                if not moved:
                    break
            climb += 1
        return evaluate_batch.history

    def _start(self, paid: Paid, rng: np.random.Generator,
               climb: int) -> tuple[Hashable | None, float]:
        """The best of `initial` random architectures (asked for as one batch)."""
        starts = [self.space.sample(rng) for _ in range(self.initial)]
        values = paid.fitnesses(starts, climb)
        if len(values) < len(starts):
            return None, -np.inf
        best = int(np.argmax(values))
        return starts[best], values[best]

