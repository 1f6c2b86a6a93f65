"""Neural architecture search as a pygmo problem: a space's vector encoding, an evaluator.

Used on its own the way NORD's problem definitions are, with any evaluator (nasdsl's, NORD's
`BenchmarkEvaluator` or `LocalEvaluator`, a callable):

    problem = pygmo.problem(NASProblem(CellSpace(), evaluator))
    population = pygmo.population(problem, size=30, seed=0)
    population = pygmo.algorithm(pygmo.gaco(gen=50, ker=30)).evolve(population)

and by `PygmoSearch` inside a run, where every fitness call goes through the run's
`evaluate_batch` (journaled, counted against the budget, replayed on resume).

Decision vectors. With `integer=True` (the default, as in NORD's problems) the bounds are the
space's and every dimension is an integer (`get_nix()`), which GACO, SGA and IHS search
natively. The other algorithms (PSO, ABC, DE, CMA-ES, …) move through real numbers: with
`integer=False` each dimension's bounds are widened by 0.5 on both sides and x is rounded to
the nearest integer, halves up, so every value of a dimension owns an interval of width 1
(rounding on the space's own bounds would give the end values half as much room). Either way
`decode(x)` rounds the same way and clips to the space's bounds.

Vectors outside the space. A cell vector can decode to a cell whose output is unreachable or
that has more edges than the space allows. `repair=True` (the default) replaces it with the
space's repair (`nasdsl.spaces.cell_repair`: the nearest valid cell by greedy edge changes),
so every evaluation is spent on an architecture of the space; `repair=False` evaluates it as
it is, which the evaluator records as `invalid` with the reason. See docs/search.md for the
measurements behind the default.

Fitness. pygmo minimizes, so `fitness(x)` is `[-f]` for the evaluator's fitness f. A candidate
without a fitness (invalid, failed, NaN) scores as the worst fitness seen so far, and never
above 0 (accuracy 0, what NORD's `descriptor_evaluate` returns for such a cell), so pygmo
never prefers it to a valid one.

Copies. pygmo copies a problem into every population it makes; the copies share one
evaluator and one `history`, so `problem.history` holds every evaluation in order.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable, Hashable, Mapping, Sequence

import numpy as np

from nasdsl.objectives import Objectives
from nasdsl.optimizers.base import Evaluation, History
from nasdsl.result import Result
from nasdsl.spaces.base import Space

_DECODED_LIMIT = 1 << 16
"""Decoded vectors remembered per problem (a few MB at most); a full memo is emptied."""

ScoreBatch = Callable[[list[Hashable]], list[Result]]
"""Evaluates architectures in order; one result for each."""


class _Shared:
    """What every pygmo copy of one problem shares: how candidates are scored, what was
    scored, and the worst fitness seen (what a candidate without one scores)."""

    def __init__(self, score: ScoreBatch, record: bool, objectives: Objectives | None = None):
        self.score = score
        self.history = History() if record else None
        self.worst = 0.0
        self.batches = 0
        self.decoded: dict[bytes, Hashable] = {}
        """Rounded vector -> architecture: populations revisit the same vectors."""
        self.objectives = objectives
        self.worst_vector: list[float] | None = None
        """With objectives: the worst value seen of each (minimization form)."""

    def values(self, archs: list[Hashable]) -> list[Any]:
        results = self.score(archs)
        history = self.history
        if history is not None:
            generation = self.batches
            for arch, result in zip(archs, results):
                history.evaluations.append(
                    Evaluation(len(history.evaluations), generation, arch, result))
        self.batches += 1
        if self.objectives is not None:
            return self._vectors(results)
        out = []
        worst = self.worst
        for r in results:
            f = r.fitness
            if r.status == "ok" and f is not None and math.isfinite(f):
                if f < worst:
                    worst = f
                out.append(-float(f))
            else:
                out.append(None)
        self.worst = worst
        return [-worst if v is None else v for v in out]

    def _vectors(self, results: list[Result]) -> list[list[float]]:
        """Objective vectors in minimization form; a candidate without one scores the worst
        value seen of every objective (0 before any)."""
        assert self.objectives is not None
        vectors = [self.objectives.vector(r) for r in results]
        worst = self.worst_vector or [0.0] * len(self.objectives)
        for v in vectors:
            if v is not None:
                worst = [max(a, b) for a, b in zip(worst, v)]
        self.worst_vector = worst
        return [list(worst) if v is None else list(v) for v in vectors]


class NASProblem:
    """A pygmo user-defined problem over `space`'s vector encoding, scored by `evaluator`.

    `evaluator`: nasdsl's `evaluate(arch, seed) -> Result` (with `evaluate_batch`, used for
    `batch_fitness`), NORD's `descriptor_evaluate(descriptor, **evaluate_kwargs)` (either
    return shape: `(accuracy, seconds)` or `(loss, metrics, seconds)`; `fitness` names the
    metric to read from `metrics`, else `accuracy`), or a callable `arch -> float | Result`.
    `seed` seeds the per-evaluation seeds handed to nasdsl evaluators (a sampled
    NAS-Bench-101 repeat). `history` holds every evaluation, `generation` counting the calls
    pygmo made (`fitness` or one `batch_fitness`).
    """

    def __init__(self, space: Space, evaluator: Any, *, integer: bool = True,
                 repair: bool = True, seed: int = 0, fitness: str = "validation_accuracy",
                 evaluate_kwargs: Mapping[str, Any] | None = None):
        score = _score_batch(evaluator, space, seed, fitness, dict(evaluate_kwargs or {}))
        self._setup(space, integer, repair, _Shared(score, record=True))

    @classmethod
    def driven(cls, space: Space, score: ScoreBatch, *, integer: bool,
               repair: bool = True, objectives: Objectives | None = None) -> "NASProblem":
        """A problem scored by `score` (the runner's `evaluate_batch` behind `PygmoSearch`),
        which keeps its own history; with `objectives`, one of that many objectives."""
        problem = cls.__new__(cls)
        problem._setup(space, integer, repair, _Shared(score, record=False,
                                                       objectives=objectives))
        return problem

    def get_nobj(self) -> int:
        objectives = self._shared.objectives
        return 1 if objectives is None else len(objectives)

    def _setup(self, space: Space, integer: bool, repair: bool, shared: _Shared) -> None:
        self.space = space
        self.integer = bool(integer)
        self.repair = bool(repair)
        lower, upper = space.bounds
        self._lower = np.asarray(lower, dtype=float)
        self._upper = np.asarray(upper, dtype=float)
        self._dimensions = len(self._lower)
        self._shared = shared

    # --- pygmo's user-defined problem interface ---------------------------------------
    def get_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        if self.integer:
            return self._lower.copy(), self._upper.copy()
        return self._lower - 0.5, self._upper + 0.5

    def get_nix(self) -> int:
        return self._dimensions if self.integer else 0

    def get_name(self) -> str:
        return f"nasdsl NAS problem ({self.space.kind} space, {self._dimensions} dimensions)"

    def get_extra_info(self) -> str:
        return (f"space: {self.space!r}\n"
                f"dimensions: {'integer' if self.integer else 'real, rounded to integers'}\n"
                f"outside the space: {'repaired' if self.repair else 'evaluated as invalid'}")

    def fitness(self, x: Sequence[float]) -> list[float]:
        values = self._shared.values([self.decode(x)])
        return values[0] if self._shared.objectives is not None else values

    def batch_fitness(self, dvs: Sequence[float]) -> np.ndarray:
        """Every decision vector of a flattened batch, evaluated as one batch."""
        xs = np.asarray(dvs, dtype=float).reshape(-1, self._dimensions)
        return np.asarray(self._shared.values([self.decode(x) for x in xs]),
                          dtype=float).ravel()

    def has_batch_fitness(self) -> bool:
        return True

    # --- the encoding ------------------------------------------------------------------
    def decode(self, x: Sequence[float]) -> Hashable:
        """The architecture pygmo's x stands for: rounded (halves up), clipped to the
        space's bounds, decoded, and repaired when `repair` and the space has a rule."""
        values = np.floor(np.asarray(x, dtype=float) + 0.5)
        np.maximum(values, self._lower, out=values)
        np.minimum(values, self._upper, out=values)
        memo = self._shared.decoded
        key = values.tobytes()
        arch = memo.get(key)
        if arch is None:
            arch = self.space.decode(values)
            if self.repair:
                fixed = self.space.repair(arch)
                if fixed is not None:
                    arch = fixed
            if len(memo) >= _DECODED_LIMIT:
                memo.clear()
            memo[key] = arch
        return arch

    def encode(self, arch: Hashable) -> np.ndarray:
        """A decision vector that decodes to `arch` (the centre of its interval)."""
        return np.asarray(self.space.encode(arch), dtype=float)

    # --- what was evaluated ---------------------------------------------------------------
    @property
    def history(self) -> History:
        """Every evaluation of this problem and its pygmo copies, in order."""
        history = self._shared.history
        if history is None:
            raise AttributeError("a problem driven by a run keeps no history of its own; "
                                 "the run's evaluate_batch has it")
        return history

    def __deepcopy__(self, memo: dict) -> "NASProblem":
        """pygmo deep-copies problems; copies share the evaluator and the history."""
        return copy.copy(self)


def _score_batch(evaluator: Any, space: Space, seed: int, fitness: str,
                 evaluate_kwargs: dict[str, Any]) -> ScoreBatch:
    """`archs -> results` for any evaluator NASProblem accepts. An architecture outside the
    space is recorded `invalid` with the space's reason and never reaches the evaluator (a
    NORD evaluator would train or look up whatever it is given)."""
    from nasdsl.evaluation.memory import evaluation_function
    from nasdsl.seeding import evaluation_seed

    if not callable(getattr(evaluator, "evaluate", None)) and callable(
            getattr(evaluator, "descriptor_evaluate", None)):
        from nasdsl.evaluators.python_target import DescriptorEvaluator

        evaluator = DescriptorEvaluator(evaluator, space.to_descriptor, fitness=fitness,
                                        **evaluate_kwargs)
    one = evaluation_function(evaluator, space, seed)
    many = getattr(evaluator, "evaluate_batch", None)
    counter = [0]

    def score(archs: list[Hashable]) -> list[Result]:
        first = counter[0]
        counter[0] += len(archs)
        reasons = [space.invalid_reason(arch) for arch in archs]
        inside = [i for i, reason in enumerate(reasons) if reason is None]
        results: list[Result | None] = [
            None if reason is None else Result.invalid(reason) for reason in reasons]
        scored = None
        if many is not None and len(inside) > 1:
            try:  # nasdsl's batch lookup: one call for the whole batch
                scored = many([archs[i] for i in inside],
                              seeds=[evaluation_seed(seed, first + i) for i in inside])
            except Exception:  # evaluated one by one below, failures recorded there
                scored = None
        if scored is None or len(scored) != len(inside):
            scored = [one(archs[i], first + i) for i in inside]
        for i, result in zip(inside, scored):
            results[i] = result
        return results  # type: ignore[return-value]

    return score
