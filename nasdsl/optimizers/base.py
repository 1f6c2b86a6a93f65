"""The optimizer contract: `search(evaluate_batch, budget, rng) -> History`.

Optimizers are plain loops as the papers write them. They never evaluate directly: they hand
candidates to `evaluate_batch`, which may answer from the journal (replay), run them in
parallel, and stops answering once the budget is spent. Parallelism comes only from asking
for several candidates at once.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Hashable, Protocol, Sequence

import numpy as np

from nasdsl.plan import Budget
from nasdsl.result import Result
from nasdsl.spaces.base import Space


@dataclass(frozen=True)
class Evaluation:
    """One evaluated candidate of a run, in the order the optimizer asked for them."""

    index: int
    generation: int
    arch: Hashable
    result: Result

    @property
    def fitness(self) -> float | None:
        return self.result.fitness


@dataclass
class History:
    """Every evaluation of one run, in order."""

    evaluations: list[Evaluation] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.evaluations)

    def __iter__(self):
        return iter(self.evaluations)

    def best(self) -> Evaluation | None:
        """The valid evaluation with the highest fitness (the earliest among equals; a NaN
        fitness never counts)."""
        best = None
        for e in self.evaluations:
            f = e.result.fitness
            if (f is not None and f == f and e.result.status == "ok"
                    and (best is None or f > best.result.fitness)):
                best = e
        return best


class BudgetMeter:
    """Tracks what a run has spent. An evaluation is admitted while the budget is not spent:
    with a time budget the evaluation that crosses the limit still counts (its cost is only
    known afterwards), and none starts after it."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.evaluations = 0
        self.seconds = 0.0

    @property
    def exhausted(self) -> bool:
        if self.budget.unit == "evaluations":
            return self.evaluations >= self.budget.amount
        return self.seconds >= self.budget.amount

    @property
    def remaining_evaluations(self) -> int | None:
        """Evaluations left, or None for a time budget (unknown in advance)."""
        if self.budget.unit == "evaluations":
            return max(int(self.budget.amount) - self.evaluations, 0)
        return None

    def charge(self, result: Result) -> None:
        self.evaluations += 1
        self.seconds += result.cost_seconds


class EvaluateBatch(Protocol):
    """Evaluates candidates in order; returns a result for each one the budget admitted
    (possibly fewer than asked, none once `budget.exhausted`). `generation` is recorded with
    each result; algorithms without generations use `index // population`."""

    history: History

    def __call__(self, candidates: Sequence[Hashable], generation: int) -> list[Result]: ...


class Optimizer(ABC):
    """Subclass, set `name`, implement `search`. Settings arrive as keyword arguments with
    the `.nas` names (`population`, `sample`, `mutation`, …)."""

    name: ClassVar[str]

    def __init__(self, space: Space, **settings: Any):
        self.space = space
        self.settings = settings

    @abstractmethod
    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History: ...

    def outcome(self) -> dict[str, Any]:
        """What the last `search` found beyond its evaluations (a controller's final policy),
        as JSON values: the runner records it in the journal when the run finishes, so that
        reports can read it. Most searches have none."""
        return {}

    def optimize(self, evaluator: Any, budget: int | Budget = 1500,
                 seed: int | np.random.Generator = 0) -> History:
        """Run this search in memory, NORD-style, and return its history.

        `evaluator` offers nasdsl's `evaluate(arch) -> Result`, NORD's
        `descriptor_evaluate(descriptor) -> (accuracy, training_time)`, or is a callable
        `arch -> Result | float`. `budget` is a count of evaluations or a `Budget`.
        `history.best()` is the answer.
        """
        from nasdsl.optimizers.memory import MemoryEvaluateBatch, evaluation_function

        if not isinstance(budget, Budget):
            budget = Budget(int(budget), "evaluations")
        if isinstance(seed, np.random.Generator):
            rng, run_seed = seed, 0
        else:
            rng, run_seed = np.random.default_rng(seed), int(seed)
        meter = BudgetMeter(budget)
        batch = MemoryEvaluateBatch(evaluation_function(evaluator, self.space, run_seed), meter)
        return self.search(batch, meter, rng)
