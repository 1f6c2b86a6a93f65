"""Random search: independent samples of the space, asked for in chunks.

Chunks of `CHUNK` candidates give parallel executors work; a chunk is also the "generation"
of random search in reports, so a run's generation `g` holds evaluations `30g … 30g+29`.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.spaces.base import Space

CHUNK = 30


class RandomSearch(Optimizer):
    """Independent samples of the space until the budget is spent. With `objectives` the
    same samples: its archive, the non-dominated set of what it evaluated, is its front."""

    name: ClassVar[str] = "random"
    multi_objective: ClassVar[bool] = True

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return CHUNK

    def __init__(self, space: Space, chunk: int = CHUNK):
        if int(chunk) < 1:
            raise ValueError("chunk must be at least 1")
        self.chunk = int(chunk)
        super().__init__(space, chunk=self.chunk)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        sample = self.space.sample
        done = 0
        while not budget.exhausted:
            left = budget.remaining_evaluations
            # Stay aligned on chunk boundaries so each call is exactly one generation.
            size = self.chunk - done % self.chunk
            if left is not None:
                size = min(size, left)
            candidates = [sample(rng) for _ in range(size)]
            results = evaluate_batch(candidates, done // self.chunk)
            if not results:
                break
            done += len(results)
        return evaluate_batch.history
