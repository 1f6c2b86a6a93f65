"""The optimizer contract: `search(evaluate_batch, budget, rng) -> History`.

Optimizers are plain loops as the papers write them. They never evaluate directly: they hand
candidates to `evaluate_batch`, which may answer from the journal (replay), run them in
parallel, and stops answering once the budget is spent. Parallelism comes only from asking
for several candidates at once.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Mapping, Sequence

import numpy as np

from nasdsl.evaluation.history import (  # noqa: F401  (part of the contract)
    BudgetMeter, EvaluateBatch, Evaluation, History,
)
from nasdsl.evaluation.fidelity import fidelities_of
from nasdsl.plan import Budget
from nasdsl.settings import Param, Review
from nasdsl.spaces.base import Space


class Optimizer(ABC):
    """Subclass, set `name`, implement `search`. Settings arrive as keyword arguments with
    the `.nas` names (`population`, `sample`, `mutation`, …).

    As a component of the language (see `nasdsl.registry`) a class declares its settings in
    `parameters` and its cross-checks in `validate`; `reserved` maps a key the language
    refuses to the sentence saying why (and the key meant, if any).
    """

    name: ClassVar[str]
    parameters: ClassVar[Sequence[Param]] = ()
    reserved: ClassVar[Mapping[str, tuple[str, str | None]]] = {}
    multi_fidelity: ClassVar[bool] = False
    """True when it asks for candidates at several fidelities (`At`; see `rungs`)."""

    @classmethod
    def validate(cls, review: Review) -> None:
        """Cross-checks of the settings (`review.values`, `review.budget`); raise
        `SettingError`. Nothing to check by default."""

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        """Most candidates the search asks to be evaluated at once with these settings,
        so that no more workers start than it can keep busy; None: no bound (it submits as
        workers free up, or it does not say)."""
        return None

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
        from nasdsl.evaluation.memory import MemoryEvaluateBatch, evaluation_function

        if not isinstance(budget, Budget):
            budget = Budget(int(budget), "evaluations")
        if isinstance(seed, np.random.Generator):
            rng, run_seed = seed, 0
        else:
            rng, run_seed = np.random.default_rng(seed), int(seed)
        meter = BudgetMeter(budget)
        batch = MemoryEvaluateBatch(evaluation_function(evaluator, self.space, run_seed), meter)
        if self.multi_fidelity:
            batch.fidelities = fidelities_of(evaluator)
        return self.search(batch, meter, rng)

__all__ = ["BudgetMeter", "EvaluateBatch", "Evaluation", "History", "Optimizer"]
