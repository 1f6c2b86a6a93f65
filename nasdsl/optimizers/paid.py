"""What a search has paid for: the fitness of every architecture it evaluated, by key.

Searches that may meet an architecture again (a local search's neighbourhoods overlap, a
predictor's candidates repeat) ask this memory first, so every evaluation they request is a
new one: a repeat would cost budget and teach nothing on a deterministic benchmark, and a
search learns only from evaluations it paid for.

A search whose every request is already known for `STALL` lookups in a row has met all it
can reach (a space smaller than the budget): it is `spent`, and ends with the budget unspent
rather than loop forever.
"""
from __future__ import annotations

from typing import Hashable, Sequence

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch
from nasdsl.optimizers.evolution import fitness_of
from nasdsl.spaces.base import Space

STALL = 2_000
"""Lookups in a row answered from memory after which a search has nothing new to ask for."""


class Paid:
    """Fitness by architecture key (minus infinity for an invalid or failed result), and
    the evaluated architectures in order (`archs`, `values`)."""

    def __init__(self, space: Space, evaluate_batch: EvaluateBatch, budget: BudgetMeter):
        self.space = space
        self.evaluate_batch = evaluate_batch
        self.budget = budget
        self.known: dict[str, float] = {}
        self.archs: list[Hashable] = []
        self.values: list[float] = []
        self.stalled = 0

    @property
    def spent(self) -> bool:
        """The budget is spent, or the search keeps asking only for what it knows."""
        return self.budget.exhausted or self.stalled >= STALL

    def key(self, arch: Hashable) -> str:
        return str(self.space.key(arch))

    def fitness(self, arch: Hashable, generation: int) -> float | None:
        """The architecture's fitness, evaluated only when new; None once the budget ends."""
        values = self.fitnesses([arch], generation)
        return values[0] if values else None

    def fitnesses(self, archs: Sequence[Hashable], generation: int) -> list[float]:
        """Fitness of each architecture, the new ones evaluated as one batch (each once).
        Shorter than `archs` when the budget ended first: the values up to the first
        architecture it could not pay for."""
        keys = [self.key(a) for a in archs]
        new: dict[str, Hashable] = {}
        for k, a in zip(keys, archs):
            if k not in self.known and k not in new:
                new[k] = a
        self.stalled = 0 if new else self.stalled + len(keys)
        if new:
            results = self.evaluate_batch(list(new.values()), generation) \
                if not self.budget.exhausted else []
            for (k, a), result in zip(new.items(), results):
                value = fitness_of(result)
                self.known[k] = value
                self.archs.append(a)
                self.values.append(value)
        out = []
        for k in keys:
            value = self.known.get(k)
            if value is None:
                break
            out.append(value)
        return out
