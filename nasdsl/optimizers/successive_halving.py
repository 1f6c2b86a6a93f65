"""Successive halving (Jamieson & Talwalkar 2016; the bracket of Li et al. 2018).

One bracket samples `candidates` architectures, trains all of them at the first rung, and
promotes the top ⌊n/`eta`⌋ (at least one) to the next rung, up to the evaluator's `epochs`;
then the next bracket, until the budget is spent. A bracket is one generation. Each rung is
one batch, so workers train a rung's candidates side by side.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping, Sequence

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History
from nasdsl.optimizers.rungs import MultiFidelitySearch, promotable
from nasdsl.evaluation.history import Evaluation
from nasdsl.settings import IntType, Param
from nasdsl.settings.bounds import MAX_POPULATION
from nasdsl.spaces.base import Space

CANDIDATES = Param("candidates", IntType(1, MAX_POPULATION), None,
                   "architectures a bracket starts with; default eta to the number of rungs "
                   "above the first")


def run_bracket(search: MultiFidelitySearch, batch: EvaluateBatch, ladder: Sequence[int],
                first: int, n: int, generation: int, rng: np.random.Generator) -> bool:
    """Successive halving of `n` new candidates from rung `first` of `ladder`; False when the
    budget ended inside it."""
    sample = search.space.sample
    candidates: list[Any] = [sample(rng) for _ in range(n)]
    parents: list[Evaluation | None] = [None] * n
    for rung in range(first, len(ladder)):
        results = batch(candidates, generation, [search.at(ladder[rung], p) for p in parents])
        if len(results) < len(candidates):
            return False
        if rung == len(ladder) - 1:
            break
        evaluated = batch.history.evaluations[-len(results):]
        keep = promotable(evaluated, search.eta) or promotable(evaluated, len(evaluated))
        if not keep:  # nothing valid to promote: the bracket ends here
            break
        candidates, parents = [e.arch for e in keep], list(keep)
    return True


class SuccessiveHalving(MultiFidelitySearch):
    """Multi-fidelity: brackets of successive halving until the budget is spent."""

    name: ClassVar[str] = "successive_halving"
    parameters: ClassVar = (*MultiFidelitySearch.parameters, CANDIDATES)

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return settings.get("candidates")

    def __init__(self, space: Space, candidates: int | None = None, **settings: Any):
        self.candidates = None if candidates is None else int(candidates)
        super().__init__(space, **settings, **({} if candidates is None
                                                else {"candidates": self.candidates}))

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        ladder = self.ladder(evaluate_batch.fidelities)
        n = self.candidates or self.eta ** (len(ladder) - 1)
        bracket = 0
        while not budget.exhausted:
            if not run_bracket(self, evaluate_batch, ladder, 0, n, bracket, rng):
                break
            bracket += 1
        return evaluate_batch.history
