"""Asynchronous successive halving (ASHA, Li et al. 2020): no rung waits to fill.

Whenever a worker is free, the search promotes a candidate that is in the top ⌊k/eta⌋ of
the k results its rung has so far and has not been promoted yet (looking from the highest
rung down, the best such candidate first); when there is none it starts a new candidate at
the first rung. Candidates are submitted one at a time and completions taken as they come
(`submit` / `next_completion`), so a Dask worker never waits for a rung. The generation of
an evaluation is its rung.
"""
from __future__ import annotations

from typing import Any, ClassVar, Hashable

import numpy as np

from nasdsl.evaluation.fidelity import At
from nasdsl.evaluation.history import Evaluation
from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History
from nasdsl.optimizers.rungs import MultiFidelitySearch, promotable


class ASHA(MultiFidelitySearch):
    """Multi-fidelity, asynchronous: promote as soon as a rung's results allow it, else start
    a new candidate."""

    name: ClassVar[str] = "asha"

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        batch = evaluate_batch
        ladder = self.ladder(batch.fidelities)
        results: list[list[Evaluation]] = [[] for _ in ladder]
        promoted: list[set[int]] = [set() for _ in ladder]
        rung_of: dict[int, int] = {}
        while True:
            while batch.in_flight < batch.slots and batch.accepting:
                arch, rung, at = self._job(ladder, results, promoted, rng)
                index = batch.submit(arch, rung, at)
                if index is None:
                    break
                rung_of[index] = rung
            done = batch.next_completion()
            if done is None:
                return batch.history
            results[rung_of[done.index]].append(done)

    def _job(self, ladder: tuple[int, ...], results: list[list[Evaluation]],
             promoted: list[set[int]], rng: np.random.Generator) -> tuple[Hashable, int, At]:
        """The next evaluation: a promotion from the highest rung that has one, else a new
        candidate at the first rung."""
        for rung in range(len(ladder) - 2, -1, -1):
            for e in promotable(results[rung], self.eta):
                if e.index not in promoted[rung]:
                    promoted[rung].add(e.index)
                    return e.arch, rung + 1, self.at(ladder[rung + 1], e)
        return self.space.sample(rng), 0, self.at(ladder[0], None)
