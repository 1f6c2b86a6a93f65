"""Every pygmo algorithm as a search: `search pygmo.NAME { … }`, single-objective ones
with `fitness`, multi-objective ones (NSGA-II, NSGA-III, MOEA/D, NSPSO, MACO, IHS) with
`objectives` (pygmo is then given a problem of that many objectives, see `NASProblem`).

The run's `evaluate_batch` scores a `NASProblem` (the space's vector encoding), so every
fitness call pygmo makes is an evaluation of the run: journaled, counted against the budget,
answered from the journal when a killed run is replayed. pygmo is deterministic given its
seeds and the fitness values it is told, and both seeds (the population's and the
algorithm's) are drawn from the run's generator, so a replayed run asks for the same
candidates in the same order.

Generations are pygmo's: the initial population is generation 0 (pygmo evaluates it too),
then every generation of `evolve` is one. An algorithm spends a fixed number of evaluations
per generation, asked of pygmo itself on a stand-in problem of the same shape (population
size for most, twice that for ABC, one for SEA and IHS), and the run numbers evaluations by
that count, so reports (`mean_first_hit`, `generations.png`) count generations as pygmo does.
Algorithms with a batch evaluator (`set_bfe`: GACO, PSO-gen, CMA-ES) ask for each generation
as one batch, which the runner's executor spreads over workers; the others ask one candidate
at a time, as pygmo's loops do. Algorithms without generations (compass search, simulated
annealing, NLopt, SciPy) number blocks of `population` evaluations.

`generations = N` runs one `evolve` of N generations (as pygmo's `gen`), stopped early only
by the budget or by pygmo's own stopping rules. Without it the search evolves until the
budget is spent: `gen` spans the evaluations left (100 generations at a time with a time
budget), and a population pygmo stops early is evolved again from where it stopped, until an
evolve call asks for nothing. When the budget runs out inside a generation the run stops there
with its best, never waiting for pygmo to finish the generation.

Settings are checked against pygmo before anything runs: an unknown key names the closest
one, and a value pygmo would refuse (GACO's `ker` above the population, DE with fewer than 5
individuals) is refused with pygmo's own reason — found by evolving one generation of a
stand-in problem of the same shape, never as an exception in the middle of a run.
"""
from __future__ import annotations

import difflib
import functools
import math
from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.guarded import GuardedFailure, can_guard, guarded
from nasdsl.objectives import Objectives
from nasdsl.optimizers.pygmo_catalog import (POPULATION, POPULATION_BOUND, RESERVED,
                                             integer_native, multi_objective, objectives_for,
                                             population_bound, pygmo_algorithms,
                                             several_objectives)
from nasdsl.optimizers.pygmo_problem import NASProblem
from nasdsl.result import Result
from nasdsl.settings import within_bounds
from nasdsl.spaces.base import Space

TIME_BUDGET_GENERATIONS = 100
"""`gen` of each evolve call when a time budget (unknown in evaluations) bounds the run."""


class _Spent(Exception):
    """The budget ran out inside an evolve call: pygmo is stopped there."""


class PygmoSearch(Optimizer):
    """`algorithm` is a pygmo algorithm's name (`"gaco"`, `"pso"`, `"bee_colony"`, …);
    `population` sizes pygmo's population, `generations` is pygmo's `gen` (None: evolve
    until the budget is spent), every other keyword goes to the algorithm's constructor.

    Raises ValueError for an unknown or multi-objective algorithm, an unknown keyword, or
    settings pygmo refuses (with pygmo's reason)."""

    name: ClassVar[str] = "pygmo"

    def __init__(self, space: Space, algorithm: str, population: int = 20,
                 generations: int | None = None, **keywords: Any):
        algorithm = algorithm.removeprefix("pygmo.")
        known = pygmo_algorithms()
        if algorithm not in known:
            raise ValueError(_unknown("pygmo algorithm", algorithm, list(known)))
        spec = known[algorithm]
        for key in keywords:
            if key in RESERVED:
                raise ValueError(f"`{key}` is set by the search (`generations` and the run's "
                                 "seed), not by hand")
            if key not in spec.keywords:
                raise ValueError(_unknown(f"setting of pygmo.{algorithm}", key,
                                          list(spec.settable)))
        if isinstance(population, bool) or int(population) != population or population < 1:
            raise ValueError(f"population must be a positive integer, got {population!r}")
        within_bounds((POPULATION,), {"population": population})
        if generations is not None:
            if not spec.has_gen:
                raise ValueError(f"pygmo.{algorithm} has no generations; its own settings "
                                 "bound each evolve call")
            if isinstance(generations, bool) or int(generations) != generations \
                    or generations < 1:
                raise ValueError(f"generations must be a positive integer, got {generations!r}")
        population = int(population)
        keywords = dict(keywords)
        nobj = objectives_for(algorithm)
        for key in POPULATION_BOUND:
            default = spec.keywords.get(key)
            most = population_bound(key, population, nobj)
            if key not in keywords and isinstance(default, int) and default > most:
                keywords[key] = most
        outside = _outside(space)
        if outside is not None:
            raise ValueError(f"pygmo searches need every vector to decode to an architecture "
                             f"of the space (or be repaired to one), but {space!r} leaves "
                             f"some outside: {outside}")
        self.algorithm = algorithm
        self.population = population
        self.generations = None if generations is None else int(generations)
        self.keywords = keywords
        self.has_gen = spec.has_gen
        self.batches = spec.batches
        self.integer = integer_native(algorithm)
        self.single_objective = not multi_objective(algorithm)
        self.multi_objective = several_objectives(algorithm)
        self.per_generation = evaluations_per_generation(
            algorithm, population, keywords, _shape(space, self.integer), nobj)
        super().__init__(space, algorithm=algorithm, population=population,
                         generations=self.generations, **keywords)

    def aim(self, objectives: Objectives) -> None:
        """pygmo is given a problem of as many objectives (what a generation spends is asked
        of pygmo again for that many)."""
        super().aim(objectives)
        if len(objectives) != objectives_for(self.algorithm):
            self.per_generation = evaluations_per_generation(
                self.algorithm, self.population, self.keywords,
                _shape(self.space, self.integer), len(objectives))

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        import pygmo

        population_seed, algorithm_seed = (int(s) for s in rng.integers(0, 2 ** 32, size=2))
        numbering = _Numbering(evaluate_batch, self.population, self.per_generation)
        problem = pygmo.problem(NASProblem.driven(self.space, numbering, integer=self.integer,
                                                  objectives=self.objectives))
        bfe = pygmo.bfe(pygmo.member_bfe())
        try:
            if budget.exhausted:
                return evaluate_batch.history
            population = pygmo.population(problem, size=self.population, b=bfe,
                                           seed=population_seed)
            numbering.next_phase()
            algorithm = pygmo.algorithm(self._uda(budget, algorithm_seed, bfe))
            while not budget.exhausted:
                population = algorithm.evolve(population)
                if numbering.next_phase() == 0 or self.generations is not None:
                    break  # pygmo has nothing more to ask, or its generations are done
        except _Spent:
            pass
        return evaluate_batch.history

    def _uda(self, budget: BudgetMeter, seed: int, bfe: Any) -> Any:
        import pygmo

        kwargs = dict(self.keywords)
        spec = pygmo_algorithms()[self.algorithm]
        if self.has_gen:
            gen = self.generations
            if gen is None:
                left = budget.remaining_evaluations
                gen = TIME_BUDGET_GENERATIONS if left is None else max(
                    1, math.ceil(left / max(self.per_generation, 1)))
            kwargs["gen"] = gen
        if "seed" in spec.keywords:
            kwargs["seed"] = seed
        uda = getattr(pygmo, self.algorithm)(**kwargs)
        if self.batches:
            uda.set_bfe(bfe)
        return uda


class _Numbering:
    """The scorer behind the driven problem: numbers evaluations by pygmo generation and
    passes them to the run's `evaluate_batch`; raises `_Spent` when the budget cuts a call
    short (pygmo is then stopped)."""

    def __init__(self, evaluate_batch: EvaluateBatch, population: int, per_generation: int):
        self.evaluate_batch = evaluate_batch
        self.per_generation = max(per_generation, 1)
        self.size = population  # of the current phase's generations; the initial population
        self.first = 0          # generation of the current phase's first evaluation
        self.asked = 0          # evaluations asked since the phase began

    def next_phase(self) -> int:
        """An evolve call begins: its generations follow those already numbered. Returns
        the evaluations the phase that ends asked for."""
        asked = self.asked
        self.first += math.ceil(asked / self.size)
        self.size = self.per_generation
        self.asked = 0
        return asked

    def __call__(self, archs: list[Hashable]) -> list[Result]:
        out: list[Result] = []
        pos = 0
        while pos < len(archs):
            generation = self.first + self.asked // self.size
            room = self.size - self.asked % self.size
            chunk = archs[pos:pos + room]
            results = self.evaluate_batch(chunk, generation)
            out.extend(results)
            self.asked += len(results)
            if len(results) < len(chunk):
                raise _Spent
            pos += len(chunk)
        return out


# --- what pygmo does with given settings, asked of pygmo ------------------------------------

Shape = tuple[tuple[float, ...], tuple[float, ...], int]
"""A problem's (lower bounds, upper bounds, integer dimensions)."""


def _shape(space: Space, integer: bool) -> Shape:
    problem = NASProblem.driven(space, lambda archs: [], integer=integer)
    lower, upper = problem.get_bounds()
    return tuple(map(float, lower)), tuple(map(float, upper)), problem.get_nix()


STAND_IN_SECONDS = 10.0
"""Most time `check` gives pygmo to evolve one generation of a stand-in problem."""
STAND_IN_POPULATION = 256
"""Largest population a stand-in problem is evolved with, so that checking a population of
any size costs milliseconds. pygmo refuses populations too small for the settings (DE needs
5 individuals, GACO's archive `ker` at most the population), never too large ones, and a
generation spends evaluations linear in the population (P, 2 × P for ABC, 1 for SEA): what
two small populations show holds for the large one."""


def evaluations_per_generation(algorithm: str, population: int, keywords: Mapping[str, Any],
                               shape: Shape, objectives: int = 1) -> int:
    """Evaluations one generation of `algorithm` spends (for algorithms without generations:
    `population`, the block reports number). Evolves one generation of a stand-in problem of
    `shape`; ValueError with pygmo's reason when pygmo refuses the settings. A population
    above `STAND_IN_POPULATION` is judged on the smallest of 256, 512, … that pygmo accepts
    and one half as large again, extrapolated; only when pygmo refuses every one of them is
    the population itself evolved, for pygmo's reason."""
    items = tuple(sorted(((k, tuple(v) if isinstance(v, list) else v)  # hashable: cached
                          for k, v in keywords.items()), key=str))
    if not can_guard():  # a run with threads: pygmo asked here, at the population itself
        return _per_generation(algorithm, population, items, shape, objectives)
    try:
        small = STAND_IN_POPULATION
        while small < population:
            try:
                spent = _guarded_per_generation(algorithm, small, items, shape, objectives)
            except ValueError:  # refused, or crashed, at this size: maybe not at a larger one
                small *= 2
                continue
            larger = min(small + small // 2, population)
            slope = (_guarded_per_generation(algorithm, larger, items, shape, objectives)
                     - spent) / (
                larger - small)
            return spent + round(slope * (population - small))
        return _guarded_per_generation(algorithm, population, items, shape, objectives)
    except _TooSlow as e:
        raise ValueError(str(e)) from None


class _TooSlow(Exception):
    """A stand-in generation ran past its time: a larger population would take longer."""


@functools.lru_cache(maxsize=256)
def _guarded_per_generation(algorithm: str, population: int, keywords: tuple,
                            shape: Shape, objectives: int = 1) -> int:
    """`_per_generation` in a forked child (`nasdsl.optimizers.guarded`): pygmo crashes on
    some keywords it does not check, or allocates by their value."""
    try:
        return guarded(_per_generation, algorithm, population, keywords, shape, objectives,
                       seconds=STAND_IN_SECONDS)
    except GuardedFailure as e:
        text = f"pygmo cannot evolve one generation with these settings: {e}"
        if "did not finish" in str(e):
            raise _TooSlow(text) from None
        raise ValueError(text) from None


@functools.lru_cache(maxsize=256)
def _per_generation(algorithm: str, population: int, keywords: tuple, shape: Shape,
                    objectives: int = 1) -> int:
    import pygmo

    spec = pygmo_algorithms()[algorithm]
    kwargs = {k: _plain(v) for k, v in keywords}
    if spec.has_gen:
        kwargs["gen"] = 1
    if "seed" in spec.keywords:
        kwargs["seed"] = 0
    limit = 4 * population + 1000
    try:
        uda = getattr(pygmo, algorithm)(**kwargs)
        problem = pygmo.problem(_StandIn(shape, limit, objectives))
        initial = pygmo.population(problem, population, seed=0)
        evolved = pygmo.algorithm(uda).evolve(initial)
    except _Enough:
        return population
    except Exception as exc:  # pygmo reports refusals as ValueError/RuntimeError/TypeError
        raise ValueError(pygmo_reason(exc)) from None
    if not spec.has_gen:
        return population
    spent = evolved.problem.get_fevals() - initial.problem.get_fevals()
    return int(spent) if spent > 0 else population


def _outside(space: Space, tries: int = 64) -> str | None:
    """Why some in-bounds vector decodes (after repair) to no architecture of `space`, or
    None when `tries` random ones all do (a chain space, whose cells have no repair, fails
    on the first). Vectors the search scores must be architectures of its space."""
    lower, upper = space.bounds
    rng = np.random.default_rng(0)
    for _ in range(tries):
        arch = space.decode(rng.integers(lower.astype(int), upper.astype(int) + 1))
        fixed = space.repair(arch)
        if fixed is None:
            return space.invalid_reason(arch) or "no repair"
    return None


def pygmo_reason(exc: BaseException) -> str:
    """pygmo's own sentence from one of its exceptions (the `what:` line of a C++ error)."""
    text = str(exc).strip()
    for line in text.splitlines():
        if line.startswith("what:"):
            return line.removeprefix("what:").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__


class _Enough(Exception):
    """A stand-in problem has shown what it needed to."""


class _StandIn:
    """A cheap problem of a given shape whose fitness varies with every dimension, so no
    algorithm stops on a flat landscape; stops an algorithm that goes on past `limit`."""

    def __init__(self, shape: Shape, limit: int, objectives: int = 1):
        self.lower, self.upper, self.nix = shape
        self.limit = limit
        self.objectives = objectives
        self.calls = 0
        self.weights = np.linspace(1.0, 2.0, len(self.lower))

    def fitness(self, x: Any) -> list[float]:
        self.calls += 1
        if self.calls > self.limit:
            raise _Enough
        return [float(np.dot(self.weights, (np.asarray(x) - 0.3 - k) ** 2))
                for k in range(self.objectives)]

    def get_nobj(self) -> int:
        return self.objectives

    def get_bounds(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        return self.lower, self.upper

    def get_nix(self) -> int:
        return self.nix

    def get_name(self) -> str:
        return "the search space's vector encoding"


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _unknown(what: str, name: str, accepted: list[str]) -> str:
    close = difflib.get_close_matches(name, accepted, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {name!r}{hint} (accepted: {', '.join(accepted)})"


__all__ = ["PygmoSearch", "evaluations_per_generation", "pygmo_reason"]
