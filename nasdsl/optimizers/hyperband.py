"""Hyperband (Li et al. 2018): brackets of successive halving that trade how many
candidates a bracket starts with against how briefly it trains them.

With s_max + 1 rungs, bracket s (s_max down to 0) starts ⌈(s_max + 1) · eta^s / (s + 1)⌉
candidates at rung s_max − s and halves them up to the highest fidelity; the most
aggressive bracket comes first. Brackets repeat in that order until the budget is spent;
bracket number b is generation b.
"""
from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History
from nasdsl.optimizers.rungs import MultiFidelitySearch
from nasdsl.optimizers.successive_halving import run_bracket


def brackets(rungs: int, eta: int) -> list[tuple[int, int]]:
    """(first rung, candidates) of each bracket of one round, most aggressive first."""
    s_max = rungs - 1
    return [(s_max - s, math.ceil((s_max + 1) * eta ** s / (s + 1)))
            for s in range(s_max, -1, -1)]


class Hyperband(MultiFidelitySearch):
    """Multi-fidelity: rounds of Hyperband's brackets until the budget is spent."""

    name: ClassVar[str] = "hyperband"

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        ladder = self.ladder(evaluate_batch.fidelities)
        plan = brackets(len(ladder), self.eta)
        bracket = 0
        while not budget.exhausted:
            first, n = plan[bracket % len(plan)]
            if not run_bracket(self, evaluate_batch, ladder, first, n, bracket, rng):
                break
            bracket += 1
        return evaluate_batch.history
