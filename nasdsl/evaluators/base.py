"""The evaluator contract: how good is one architecture, as a `Result`.

`seed` is given per evaluation by the runner (derived from the run seed and the evaluation
index), so an evaluator that draws at random draws the same on a replayed run.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

from nasdsl.result import Result


class Evaluator(ABC):
    """Subclass and implement `evaluate` and `metrics`; override `evaluate_batch` when many
    evaluations at once are cheaper than one after another."""

    @property
    @abstractmethod
    def metrics(self) -> tuple[str, ...]:
        """Names of the metrics each ok `Result` carries."""

    @abstractmethod
    def evaluate(self, x: Any, seed: int | None = None) -> Result: ...

    def evaluate_batch(self, items: Sequence[Any],
                       seeds: Sequence[int | None] | None = None) -> list[Result]:
        """Evaluate in order; `seeds[i]` goes with `items[i]`."""
        if seeds is None:
            seeds = [None] * len(items)
        if len(seeds) != len(items):
            raise ValueError(f"{len(items)} items but {len(seeds)} seeds")
        return [self.evaluate(x, seed=s) for x, s in zip(items, seeds)]
