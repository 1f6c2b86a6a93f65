"""Pareto local search that spends evaluations where the cheap objectives say they can pay.

A multi-objective search of nasdsl's own (`search pareto_local_search`). It keeps the archive
of what it evaluated; its front is the non-dominated part. Each step takes a front member
whose neighbourhood (one op changed or one edge flipped, `nasdsl.spaces.neighbourhood`) is
not yet explored and evaluates its new neighbours, **ordered by the cheap objectives**
(parameters, FLOPs: known without an evaluation): first the neighbours no larger than the
member on every cheap objective, which can dominate it, smallest first; then the others.
A member is chosen with the widest gap on the first cheap objective to the next front
member (in log scale), so the front spreads over sizes rather than piling up where it
started. When every front member is explored the search restarts from `initial` random
architectures of sizes the front does not yet cover.

Without cheap objectives it is a plain Pareto local search (neighbours in random order,
members chosen at random). The search remembers what it paid for: no architecture is
evaluated twice.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.pareto import nondominated
from nasdsl.settings import IntType, Param, within_bounds
from nasdsl.settings.bounds import MAX_POPULATION
from nasdsl.spaces.base import Space
from nasdsl.spaces.neighbourhood import neighbours

INITIAL = Param("initial", IntType(1, MAX_POPULATION), 20,
                "random architectures the search starts (and restarts) from")
POOL = Param("pool", IntType(1, 100_000), 200,
             "random architectures drawn (cheap objectives only, never evaluated) to choose "
             "each start among")


class ParetoLocalSearch(Optimizer):
    """`initial` (20): architectures each start evaluates; `pool` (200): random
    architectures a start chooses them among by their cheap objectives. Generation g is
    the g-th batch asked for."""

    name: ClassVar[str] = "pareto_local_search"
    parameters: ClassVar = (INITIAL, POOL)
    single_objective: ClassVar[bool] = False
    multi_objective: ClassVar[bool] = True

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return int(settings.get("initial", INITIAL.default))

    def __init__(self, space: Space, initial: int = INITIAL.default, pool: int = POOL.default):
        within_bounds(self.parameters, {"initial": initial, "pool": pool})
        self.initial, self.pool = int(initial), int(pool)
        super().__init__(space, initial=self.initial, pool=self.pool)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        if self.objectives is None:
            raise ValueError("pareto_local_search needs objectives (`aim`)")
        run = _Run(self, evaluate_batch, budget, rng)
        run.go()
        return evaluate_batch.history


class _Run:
    """One search's state: the archive (keys, vectors), explored members, generations."""

    def __init__(self, search: ParetoLocalSearch, evaluate_batch: EvaluateBatch,
                 budget: BudgetMeter, rng: np.random.Generator):
        self.search = search
        self.space = search.space
        self.objectives = search.objectives
        self.evaluate_batch = evaluate_batch
        self.budget = budget
        self.rng = rng
        self.archs: list[Hashable] = []
        self.vectors: list[tuple[float, ...] | None] = []
        self.seen: set[str] = set()
        self.explored: set[str] = set()
        self.generation = 0
        self.stalled = 0
        assert self.objectives is not None
        cheap = self.objectives.cheap_names
        self.cheap_axes = [i for i, o in enumerate(self.objectives.items) if o.metric in cheap]

    # --- evaluation ---------------------------------------------------------------------
    def key(self, arch: Hashable) -> str:
        return str(self.space.key(arch))

    def evaluate(self, archs: list[Hashable]) -> int:
        """Evaluate the new ones among `archs`; how many were evaluated."""
        new, keys = [], set()
        for arch in archs:
            k = self.key(arch)
            if k not in self.seen and k not in keys:
                keys.add(k)
                new.append(arch)
        if not new or self.budget.exhausted:
            return 0
        results = self.evaluate_batch(new, self.generation)
        self.generation += 1
        for arch, result in zip(new, results):
            self.seen.add(self.key(arch))
            self.archs.append(arch)
            self.vectors.append(self.objectives.vector(result))
        return len(results)

    def cheap(self, arch: Hashable) -> tuple[float, ...] | None:
        """The cheap objectives of `arch` in minimization form (None: unknown)."""
        if not self.cheap_axes:
            return None
        values = self.objectives.cheap(arch)
        out = []
        for i in self.cheap_axes:
            o = self.objectives.items[i]
            if o.metric not in values:
                return None
            out.append(o.minimized(values[o.metric]))
        return tuple(out)

    # --- the loop -------------------------------------------------------------------------
    def go(self) -> None:
        self.start()
        while not self.budget.exhausted and self.stalled < 50:
            member = self.pick()
            if member is None:
                if not self.start():
                    self.stalled += 1
                continue
            self.explored.add(self.key(member))
            if self.climb(member) == 0:
                self.stalled += 1
            else:
                self.stalled = 0

    def start(self) -> int:
        """Evaluate `initial` random architectures; with cheap objectives, chosen from a
        pool of `pool` so that their sizes spread over what the pool offers."""
        count = self.search.initial
        if not self.cheap_axes:
            return self.evaluate([self.space.sample(self.rng) for _ in range(count)])
        pool: dict[str, tuple[Hashable, float]] = {}
        for _ in range(max(self.search.pool, count)):
            arch = self.space.sample(self.rng)
            k = self.key(arch)
            if k in self.seen or k in pool:
                continue
            c = self.cheap(arch)
            if c is not None:
                pool[k] = (arch, _size(c[0]))
        ranked = sorted(pool.values(), key=lambda item: item[1])
        if not ranked:
            return self.evaluate([self.space.sample(self.rng) for _ in range(count)])
        picks = np.linspace(0, len(ranked) - 1, min(count, len(ranked))).round().astype(int)
        return self.evaluate([ranked[i][0] for i in dict.fromkeys(picks.tolist())])

    def front(self) -> list[int]:
        index = [i for i, v in enumerate(self.vectors) if v is not None]
        if not index:
            return []
        mask = nondominated(np.asarray([self.vectors[i] for i in index]))
        return [index[j] for j in np.flatnonzero(mask)]

    def pick(self) -> Hashable | None:
        """A front member not yet explored: with cheap objectives the one with the widest
        gap in size to its next smaller front member, else one at random."""
        members = [i for i in self.front() if self.key(self.archs[i]) not in self.explored]
        if not members:
            return None
        if not self.cheap_axes:
            return self.archs[members[int(self.rng.integers(len(members)))]]
        axis = self.cheap_axes[0]
        front = sorted(self.front(), key=lambda i: self.vectors[i][axis])
        sizes = {i: _size(self.vectors[i][axis]) for i in front}
        gap = {}
        for before, i in zip([None, *front[:-1]], front):
            gap[i] = sizes[i] - (sizes[before] if before is not None else sizes[i] - 1.0)
        best = max(members, key=lambda i: (gap[i], -i))
        return self.archs[best]

    def climb(self, member: Hashable) -> int:
        """Evaluate `member`'s new neighbours, those that may dominate it first."""
        around = [a for a in neighbours(self.space, member) if self.key(a) not in self.seen]
        if not around:
            return 0
        order = self.rng.permutation(len(around)).tolist()
        own = self.cheap(member)
        if own is not None:
            costs = [self.cheap(around[i]) for i in order]
            order = [i for _, i in sorted(
                zip(costs, order), key=lambda ci: (
                    ci[0] is None or not all(a <= b for a, b in zip(ci[0], own)),
                    math.inf if ci[0] is None else ci[0][0]))]
        return self.evaluate([around[i] for i in order])


def _size(value: float) -> float:
    """A cheap objective's value on the scale the front is spread over: log of a size."""
    return math.log(abs(value) + 1.0)
