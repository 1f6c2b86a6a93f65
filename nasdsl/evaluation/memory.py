"""Running an optimizer without a journal: an in-memory `EvaluateBatch`.

This is what `Optimizer.optimize(evaluator, budget, seed)` uses, NORD-style, and what tests
and benchmarks drive searches with. It evaluates in order, charges the budget, and stops
admitting candidates once the budget is spent, exactly as the runner's journal-backed
`evaluate_batch` does (minus persistence, replay and parallelism).
"""
from __future__ import annotations

import inspect
import time
from typing import TYPE_CHECKING, Any, Callable, Hashable, Sequence

from nasdsl.errors import DataError
from nasdsl.evaluation.history import BudgetMeter
from nasdsl.evaluation.batch import Batch, Timed
from nasdsl.result import Result
from nasdsl.seeding import evaluation_seed

if TYPE_CHECKING:
    from nasdsl.spaces.base import Space

EvaluateOne = Callable[[Hashable, int], Result]
"""Evaluates one architecture, given its index in the run."""


class MemoryEvaluateBatch(Batch):
    """Evaluates candidates one by one with `evaluate_one(arch, index)` and records them in
    `history`: the shared `Batch` with nothing journaled."""

    def __init__(self, evaluate_one: EvaluateOne, budget: BudgetMeter):
        self.evaluate_one = evaluate_one
        self.budget = budget
        super().__init__(self._timed, budget, sequential=True)

    def _timed(self, candidates: Sequence[Hashable], seeds: Sequence[int]) -> list[Timed]:
        index = len(self.history)
        out = []
        clock = time.perf_counter
        for i, arch in enumerate(candidates):
            start = clock()
            result = self.evaluate_one(arch, index + i)
            out.append((result, clock() - start))
        return out


def evaluation_function(evaluator: Any, space: Space, run_seed: int = 0) -> EvaluateOne:
    """Turn an evaluator into `(arch, index) -> Result`.

    Accepted, in this order: an object with nasdsl's `evaluate(arch, seed=None) -> Result`
    (given the runner's per-evaluation seed, so a sampled repeat is the same on every rerun);
    an object with NORD's `descriptor_evaluate(descriptor) -> (accuracy, training_time)`
    (the architecture is converted with `space.to_descriptor`; accuracy becomes the fitness
    and training time the cost); a plain callable `arch -> Result | float`. An evaluation
    that raises is recorded as failed, as the runner does.
    """
    evaluate = getattr(evaluator, "evaluate", None)
    if callable(evaluate):
        if _takes_seed(evaluate):
            return _guarded(lambda arch, index: evaluate(
                arch, seed=evaluation_seed(run_seed, index)))
        return _guarded(lambda arch, index: evaluate(arch))
    descriptor_evaluate = getattr(evaluator, "descriptor_evaluate", None)
    if callable(descriptor_evaluate):
        to_descriptor = space.to_descriptor

        def _nord(arch: Hashable, index: int) -> Result:
            accuracy, seconds = descriptor_evaluate(to_descriptor(arch))[:2]
            return Result(fitness=float(accuracy), metrics={"accuracy": float(accuracy)},
                          cost_seconds=float(seconds or 0.0))

        return _guarded(_nord)
    if callable(evaluator):
        def _plain(arch: Hashable, index: int) -> Result:
            value = evaluator(arch)
            return value if isinstance(value, Result) else Result(fitness=float(value))

        return _guarded(_plain)
    raise TypeError("an evaluator needs evaluate(arch), descriptor_evaluate(descriptor), "
                    f"or to be callable; got {type(evaluator).__name__}")


def _takes_seed(method: Callable) -> bool:
    try:
        return "seed" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _guarded(evaluate_one: EvaluateOne) -> EvaluateOne:
    def _run(arch: Hashable, index: int) -> Result:
        try:
            return evaluate_one(arch, index)
        except DataError:  # the evaluator cannot answer anything: no search can go on
            raise
        except Exception as e:  # a broken evaluation is recorded, never fatal to a search
            return Result.failed(f"{type(e).__name__}: {e}")

    return _run
