"""Pareto local search that spends evaluations where the cheap objective says they can pay.

A multi-objective search of nasdsl's own (`search pareto_local_search`). It keeps the archive
of what it evaluated; its front is the archive's non-dominated part. The candidates are the
front members' neighbours not yet evaluated (one op changed or one edge flipped,
`nasdsl.spaces.neighbourhood`).

With two objectives of which one is cheap (accuracy against parameters or FLOPs), each
candidate's cheap value is known, so only the other objective is uncertain. The search
models it as **the parent's value plus a change drawn from what its own earlier moves
did** (the empirical changes from parent to neighbour, kept apart for neighbours smaller,
equal and larger on the cheap objective), and evaluates the `batch` candidates of highest
**expected hypervolume improvement** over the current front, in the front's normalised
space (its ideal and nadir so far, as EvoXBench scores fronts). A small candidate can only
pay where the front is thin at its size; a large one only if it may beat the front's best:
the cheap objective tells which, for free. Two steps in three are instead a **climb** of the
uncertain objective alone: `batch` unevaluated neighbours, in random order, of the archive's
best member that still has some (first improvement, as a local search climbs; past a local
optimum, best first from the next best members). On a linear
scale of parameters most of the front's hypervolume lies at its accurate end, which a climb
reaches with far fewer evaluations than a front's neighbourhoods.

Otherwise (no cheap objective, or more than two objectives) it is a plain Pareto local
search: a random unexplored front member's neighbours, in random order. Either way, when
no candidate is left (or none can improve the front) it restarts from `initial` random
architectures chosen among `pool` (spread over the cheap objective's range). No
architecture is evaluated twice.
"""
from __future__ import annotations

import heapq
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
             "random architectures (cheap objectives only, never evaluated) each start "
             "chooses among")
BATCH = Param("batch", IntType(1, MAX_POPULATION), 2,
              "candidates evaluated at each step (those of highest expected improvement)")
QUANTILES = 16
"""Points of the modelled change from a parent to a neighbour."""
LEAST_MOVES = 8
"""Moves of one kind (smaller, equal, larger) needed before they are modelled apart."""
CLIMB_EVERY = 3
"""Of every `CLIMB_EVERY` steps, all but one climb (measured on NAS-Bench-101: 2 of 3 steps
climbing gave the highest hypervolume at 1,000 evaluations of 1 in 2, 2 in 3, 4 in 5)."""
STALL = 50
"""Steps in a row that evaluate nothing new, after which the search has nothing to ask."""
REFERENCE = 1.1
"""The reference point's coordinates in the front's normalised space (1.1: past the nadir, so
the extreme members' neighbours count too)."""


class ParetoLocalSearch(Optimizer):
    """`initial` (20), `pool` (200), `batch` (2): see the module. Generation g is the g-th
    batch it asks for."""

    name: ClassVar[str] = "pareto_local_search"
    parameters: ClassVar = (INITIAL, POOL, BATCH)
    single_objective: ClassVar[bool] = False
    multi_objective: ClassVar[bool] = True

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return max(int(settings.get("initial", INITIAL.default)),
                   int(settings.get("batch", BATCH.default)))

    def __init__(self, space: Space, initial: int = INITIAL.default, pool: int = POOL.default,
                 batch: int = BATCH.default):
        within_bounds(self.parameters, {"initial": initial, "pool": pool, "batch": batch})
        self.initial, self.pool, self.batch = int(initial), int(pool), int(batch)
        super().__init__(space, initial=self.initial, pool=self.pool, batch=self.batch)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        if self.objectives is None:
            raise ValueError("pareto_local_search looks for a Pareto front: give it "
                             "objectives (`aim`)")
        _Run(self, evaluate_batch, budget, rng).go()
        return evaluate_batch.history


class _Run:
    """One search's state: the archive, the neighbourhoods met, the moves' changes."""

    def __init__(self, search: ParetoLocalSearch, evaluate_batch: EvaluateBatch,
                 budget: BudgetMeter, rng: np.random.Generator):
        assert search.objectives is not None
        self.search = search
        self.space = search.space
        self.objectives = search.objectives
        self.evaluate_batch = evaluate_batch
        self.budget = budget
        self.rng = rng
        self.archs: list[Hashable] = []
        self.keys: list[str] = []
        self.vectors: list[tuple[float, ...] | None] = []
        self.at: dict[str, int] = {}
        """Archive index of each evaluated architecture's key."""
        self.parents: dict[str, str] = {}
        """Candidate key -> the key of the front member it neighbours (the first met)."""
        self.around: dict[str, list[tuple[str, Hashable]]] = {}
        self.explored: set[str] = set()
        self.costs: dict[str, float | None] = {}
        self.moves: list[tuple[int, float, float]] = []
        """(kind: -1 smaller, 0 equal, 1 larger on the cheap objective; the parent's other
        objective; its change from parent to neighbour)."""
        self._quantiles: dict[int, tuple[int, np.ndarray]] = {}
        self.steps = 0
        self.ranked: list[tuple[float, int]] = []
        """Archive members by the uncertain objective (a heap), those a climb may go on from."""
        self.ranked_upto = 0
        self.generation = 0
        items = self.objectives.items
        cheap = [i for i, o in enumerate(items) if o.metric in self.objectives.cheap_names]
        self.cheap_axis = cheap[0] if len(items) == 2 and len(cheap) == 1 else None
        self.cheap_axes = cheap

    # --- what is known ---------------------------------------------------------------------
    def key(self, arch: Hashable) -> str:
        return str(self.space.key(arch))

    def cost(self, key: str, arch: Hashable) -> float | None:
        """The first cheap objective of `arch` in minimization form (None: unknown)."""
        if key not in self.costs:
            value = None
            if self.cheap_axes:
                o = self.objectives.items[self.cheap_axes[0]]
                found = self.objectives.cheap(arch).get(o.metric)
                value = None if found is None else o.minimized(found)
            self.costs[key] = value
        return self.costs[key]

    def evaluate(self, archs: list[Hashable]) -> int:
        """Evaluate the new ones among `archs`; how many were evaluated."""
        new: dict[str, Hashable] = {}
        for arch in archs:
            k = self.key(arch)
            if k not in self.at and k not in new:
                new[k] = arch
        if not new or self.budget.exhausted:
            return 0
        results = self.evaluate_batch(list(new.values()), self.generation)
        self.generation += 1
        for (k, arch), result in zip(new.items(), results):
            self.at[k] = len(self.archs)
            self.archs.append(arch)
            self.keys.append(k)
            vector = self.objectives.vector(result)
            self.vectors.append(vector)
            self._learn(k, vector)
        return len(results)

    def _learn(self, key: str, vector: tuple[float, ...] | None) -> None:
        """A neighbour evaluated: how far its uncertain objective moved from its parent's."""
        parent = self.parents.get(key)
        if parent is None or vector is None or self.cheap_axis is None:
            return
        before = self.vectors[self.at[parent]]
        if before is None:
            return
        other = 1 - self.cheap_axis
        kind = int(np.sign(vector[self.cheap_axis] - before[self.cheap_axis]))
        self.moves.append((kind, before[other], vector[other] - before[other]))

    def front(self) -> list[int]:
        index = [i for i, v in enumerate(self.vectors) if v is not None]
        if not index:
            return []
        mask = nondominated(np.asarray([self.vectors[i] for i in index]))
        return [index[j] for j in np.flatnonzero(mask)]

    def neighbourhood(self, key: str) -> list[tuple[str, Hashable]]:
        found = self.around.get(key)
        if found is None:
            arch = self.archs[self.at[key]]
            found = self.around[key] = [(self.key(a), a) for a in neighbours(self.space, arch)]
            for k, _ in found:
                self.parents.setdefault(k, key)
        return found

    # --- the loop -------------------------------------------------------------------------------
    def go(self) -> None:
        self.start()
        stalled = 0
        while not self.budget.exhausted and stalled < STALL:
            chosen = self.step()
            done = self.evaluate(chosen) if chosen else self.start()
            stalled = 0 if done else stalled + 1

    def step(self) -> list[Hashable]:
        """With a cheap objective, climbing steps (the uncertain objective alone, from its
        best) alternate with steps of expected improvement of the whole front (one in
        `CLIMB_EVERY`): the front's far end, where the uncertain objective is at its best,
        is where most of its hypervolume lies (parameters count on a linear scale), and a
        climb reaches it with fewer evaluations than a front's neighbourhoods."""
        if self.cheap_axis is None:
            return self._plain_step()
        self.steps += 1
        if self.steps % CLIMB_EVERY != 0:
            chosen = self._climb_step()
            if chosen:
                return chosen
        return self._expected_step()

    def start(self) -> int:
        """Evaluate `initial` random architectures; with a cheap objective chosen among
        `pool` of them, spread evenly over their cheap values."""
        count = self.search.initial
        samples = [self.space.sample(self.rng) for _ in range(max(self.search.pool, count))]
        if not self.cheap_axes:
            return self.evaluate(samples[:count])
        pool: dict[str, tuple[Hashable, float]] = {}
        for arch in samples:
            k = self.key(arch)
            c = self.cost(k, arch)
            if k not in self.at and c is not None:
                pool.setdefault(k, (arch, c))
        if not pool:
            return self.evaluate(samples[:count])
        ranked = sorted(pool.values(), key=lambda item: item[1])
        picks = np.linspace(0, len(ranked) - 1, min(count, len(ranked))).round().astype(int)
        return self.evaluate([ranked[i][0] for i in dict.fromkeys(picks.tolist())])

    def _plain_step(self) -> list[Hashable]:
        members = [i for i in self.front() if self.keys[i] not in self.explored]
        if not members:
            return []
        member = self.keys[members[int(self.rng.integers(len(members)))]]
        self.explored.add(member)
        around = [a for k, a in self.neighbourhood(member) if k not in self.at]
        return [around[i] for i in self.rng.permutation(len(around)).tolist()]

    def _expected_step(self) -> list[Hashable]:
        """The `batch` unevaluated neighbours of front members with the highest expected
        hypervolume improvement (none when no candidate can improve the front)."""
        assert self.cheap_axis is not None
        front = self.front()
        if not front:
            return []
        cheap, other = self.cheap_axis, 1 - self.cheap_axis
        points = np.asarray([self.vectors[i] for i in front])
        keys, archs, xs, groups = [], [], [], []
        changes: list[np.ndarray] = []
        bases: list[float] = []
        for i in front:
            parent = self.keys[i]
            px, py = self.vectors[i][cheap], self.vectors[i][other]
            for k, arch in self.neighbourhood(parent):
                if k in self.at:
                    continue
                c = self.cost(k, arch)
                if c is None:
                    continue
                kind = int(np.sign(c - px))
                keys.append(k)
                archs.append(arch)
                xs.append(c)
                groups.append(len(changes) + kind + 1)
            changes.extend(self._changes(kind) for kind in (-1, 0, 1))
            bases.extend([py] * 3)
        if not keys:
            return []
        gains = _expected_gains(points[:, cheap], points[:, other], np.asarray(xs),
                                np.asarray(groups), np.asarray(bases), changes)
        order = np.lexsort((self.rng.random(len(keys)), -gains))
        chosen = [archs[i] for i in order[:self.search.batch] if gains[i] > 0]
        return chosen

    def _changes(self, kind: int) -> np.ndarray:
        """Quantiles of the uncertain objective's change for a move of `kind`, from the
        earlier moves of that kind (of every kind while it has fewer than `LEAST_MOVES`); no
        change before any move is known."""
        found = self._quantiles.get(kind)
        if found is not None and found[0] == len(self.moves):
            return found[1]
        if not self.moves:
            value = np.zeros(1)
        else:
            moves = np.asarray(self.moves)
            own = moves[moves[:, 0] == kind]
            if len(own) < LEAST_MOVES:
                own = moves
            value = np.quantile(own[:, 2], (np.arange(QUANTILES) + 0.5) / QUANTILES)
        self._quantiles[kind] = (len(self.moves), value)
        return value

    # --- climbing the uncertain objective ---------------------------------------------------
    def _climb_step(self) -> list[Hashable]:
        """The next `batch` unevaluated neighbours, in random order, of the climb's point:
        the best archive member on the uncertain objective whose neighbourhood is not yet
        all evaluated (best first: when the best is a local optimum, the climb goes on from
        the next best, so it widens around the best cells instead of starting over)."""
        assert self.cheap_axis is not None
        other = 1 - self.cheap_axis
        ranked = self.ranked
        for i in range(self.ranked_upto, len(self.vectors)):  # the archive's newcomers
            if self.vectors[i] is not None:
                heapq.heappush(ranked, (self.vectors[i][other], i))
        self.ranked_upto = len(self.vectors)
        while ranked:  # a member whose neighbourhood is all evaluated stays so: dropped
            i = ranked[0][1]
            around = [a for k, a in self.neighbourhood(self.keys[i]) if k not in self.at]
            if around:
                order = self.rng.permutation(len(around))[:self.search.batch]
                return [around[j] for j in order.tolist()]
            heapq.heappop(ranked)
        return []


def _expected_gains(front_x: np.ndarray, front_y: np.ndarray, xs: np.ndarray,
                    groups: np.ndarray, bases: np.ndarray,
                    changes: list[np.ndarray]) -> np.ndarray:
    """Expected hypervolume each candidate adds to a two-objective front (minimization),
    normalised by the front's own ideal and nadir points with the reference point
    (`REFERENCE`, `REFERENCE`), so a candidate beyond the nadir may still pay: candidate j
    sits at cheap value `xs[j]`, and its other objective is `bases[g]` plus a change drawn
    from `changes[g]`, g = `groups[j]`."""
    lo_x, hi_x = front_x.min(), front_x.max()
    lo_y, hi_y = front_y.min(), front_y.max()
    span_x = hi_x - lo_x if hi_x > lo_x else 1.0
    span_y = hi_y - lo_y if hi_y > lo_y else 1.0
    fx = (front_x - lo_x) / span_x
    fy = (front_y - lo_y) / span_y
    order = np.argsort(fx, kind="stable")
    fx, fy = fx[order], np.minimum.accumulate(fy[order])
    starts = np.concatenate(([-np.inf], fx))       # interval k: [starts[k], ends[k])
    ends = np.concatenate((fx, [REFERENCE]))
    levels = np.concatenate(([REFERENCE], np.minimum(fy, REFERENCE)))  # the front's height
    x = (xs - lo_x) / span_x
    lengths = np.clip(ends[None, :] - np.maximum(starts[None, :], x[:, None]), 0.0, None)
    gains = np.zeros(len(xs))
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        y = (bases[g] + changes[g] - lo_y) / span_y                      # (q,)
        heights = np.clip(levels[None, :] - y[:, None], 0.0, None)      # (q, intervals)
        gains[rows] = (lengths[rows] @ heights.T).mean(axis=1)
    return gains
