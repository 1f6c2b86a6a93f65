"""Regularized (ageing) evolution, as Real et al. (2019) and the NAS-Bench-101 paper run it.

A queue of `population` architectures, first filled with random samples; then each step
draws `sample` members without replacement, mutates the fittest of them (the parent), and
appends the evaluated child while the *oldest* member leaves, whatever its fitness. The best
ever evaluated is the answer. Kyriakides & Margaritis (NORD) used the `grow` mutation; the
NAS-Bench-101 paper's mutation is `flip`.

The population lives in a ring buffer (two lists: fitness and architecture) so ageing costs
nothing and a tournament costs one permutation and a `max` over `sample` entries.

`asynchronous = true` runs it as Real et al. ran it on many workers: a worker that finishes
hands its child to the population and gets a new candidate at once, made from the
population as it is then (a random one while fewer than `population` have completed, else a
tournament's child), instead of the next step waiting for the previous one. The population
is the last `population` completions, in the order they completed; with one worker that is
exactly the sequential algorithm, with several it is a different search (which results a
child sees depends on which evaluations finished first).
"""
from __future__ import annotations

import math
from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.mutation import MUTATION, as_mutation
from nasdsl.plan import Call
from nasdsl.result import Result, usable_fitness
from nasdsl.settings import BoolType, IntType, Param, Review, not_above, within_bounds
from nasdsl.settings.bounds import MAX_POPULATION
from nasdsl.spaces.base import Space

_NEG_INF = -math.inf


def fitness_of(result: Result) -> float:
    """What selection compares: the usable fitness, else minus infinity, so an invalid or
    failed candidate is never preferred to a valid one."""
    f = usable_fitness(result)
    return _NEG_INF if f is None else float(f)


POPULATION = Param("population", IntType(1, MAX_POPULATION), 100, "population size")
SAMPLE = Param("sample", IntType(1, MAX_POPULATION), 25, "tournament size (≤ population)")
ASYNCHRONOUS = Param("asynchronous", BoolType(), False,
                     "a new child as soon as any worker is free (results differ from the "
                     "sequential search with several workers)", fill=False)


class RegularizedEvolution(Optimizer):
    """Ageing evolution: mutate the fittest of `sample` members, the oldest member leaves.

    `population` (P, default 100), `sample` (S, default 25, at most P), `mutation`
    (a `Call`, `"grow"` or `"flip"`; default `grow(add_node = 0.1, add_connection = 0.1)`)
    and `asynchronous` (default false: see the module's docstring).

    Generations passed to `evaluate_batch` are `index // P`: the initial population (asked
    for as one batch) is generation 0, then every P children make one generation. When the
    whole sample is invalid there is no parent, and the child is a fresh random sample.
    """

    name: ClassVar[str] = "regularized_evolution"
    parameters: ClassVar = (POPULATION, SAMPLE, MUTATION, ASYNCHRONOUS)

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        """The initial population; then one child at a time (asynchronous: every worker)."""
        if settings.get("asynchronous"):
            return None
        return int(settings.get("population", POPULATION.default))

    @classmethod
    def validate(cls, review: Review) -> None:
        not_above(review, "sample", "population")

    def __init__(self, space: Space, population: int = POPULATION.default,
                 sample: int = SAMPLE.default, mutation: Call | str | None = MUTATION.default,
                 asynchronous: bool = False):
        population, sample = int(population), int(sample)
        if population < 1:
            raise ValueError("population must be at least 1")
        if not 1 <= sample <= population:
            raise ValueError(f"sample must be in 1..population ({population}), not {sample}")
        within_bounds(self.parameters, {"population": population, "sample": sample})
        self.population = population
        self.sample = sample
        self.mutation = as_mutation(mutation)
        self.asynchronous = bool(asynchronous)
        extra = {"asynchronous": True} if self.asynchronous else {}
        super().__init__(space, population=population, sample=sample, mutation=self.mutation,
                         **extra)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        if self.asynchronous:
            return self._search_asynchronously(evaluate_batch, rng)
        size, space = self.population, self.space
        left = budget.remaining_evaluations
        first = size if left is None else min(size, left)
        if first == 0 or budget.exhausted:
            return evaluate_batch.history
        initial = [space.sample(rng) for _ in range(first)]
        results = evaluate_batch(initial, 0)
        if len(results) < size:  # the budget ended inside the initial population
            return evaluate_batch.history

        # Ring buffer: slot `head` holds the oldest member and is where the next child goes.
        fitness = [fitness_of(r) for r in results]
        members: list[Hashable] = list(initial)
        head = 0
        done = size
        while not budget.exhausted:
            child = self._child(fitness, members, rng)
            results = evaluate_batch([child], done // size)
            if not results:
                break
            members[head] = child
            fitness[head] = fitness_of(results[0])
            head = head + 1 if head + 1 < size else 0
            done += 1
        return evaluate_batch.history

    def _search_asynchronously(self, evaluate_batch: EvaluateBatch,
                               rng: np.random.Generator) -> History:
        """Keep every worker busy: after each completion, submit the next candidate, made
        from the population as of that completion; its generation is `index // P`."""
        size, space = self.population, self.space
        fitness: list[float] = []
        members: list[Hashable] = []
        head = 0  # once full: the oldest member's slot, where the next completion goes
        submitted = 0
        while True:
            while evaluate_batch.in_flight < evaluate_batch.slots and evaluate_batch.accepting:
                full = len(members) == size
                candidate = self._child(fitness, members, rng) if full else space.sample(rng)
                if evaluate_batch.submit(candidate, submitted // size) is None:
                    break
                submitted += 1
            done = evaluate_batch.next_completion()
            if done is None:
                return evaluate_batch.history
            if len(members) < size:
                members.append(done.arch)
                fitness.append(fitness_of(done.result))
            else:
                members[head] = done.arch
                fitness[head] = fitness_of(done.result)
                head = head + 1 if head + 1 < size else 0

    def _child(self, fitness: list[float], members: list[Hashable],
               rng: np.random.Generator) -> Hashable:
        """Tournament of `sample` distinct members; the first fittest of them is mutated."""
        drawn = rng.permutation(self.population)[: self.sample].tolist()
        best = max(drawn, key=fitness.__getitem__)  # the first of equals, in draw order
        if fitness[best] == _NEG_INF:
            return self.space.sample(rng)
        return self.space.mutate(members[best], rng, self.mutation)
