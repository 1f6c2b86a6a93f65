"""BANANAS (White, Neiswanger & Savani 2021): Bayesian optimization with an ensemble of
neural predictors on the path encoding.

Start with `initial` random architectures. Then, batch after batch: the candidates are the
architectures one edit away (`nasdsl.spaces.neighbourhood`) from the `parents` best
evaluated so far, minus those already evaluated; the ensemble (`MLPEnsemble`, trained only
on this run's own evaluations, refitted every `retrain` evaluations) predicts each
candidate's fitness; independent Thompson sampling draws one value per candidate from a
normal with the ensemble's mean and spread, and the `batch` candidates with the highest
draws are evaluated together (so an executor can run them in parallel).

Nothing is evaluated twice: the search remembers the fitness it paid for (`Paid`).
"""
from __future__ import annotations

from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.mlp_ensemble import MLPEnsemble
from nasdsl.optimizers.paid import Paid
from nasdsl.settings import IntType, Param, within_bounds
from nasdsl.settings.bounds import MAX_ENSEMBLE, MAX_PARENTS, MAX_POPULATION
from nasdsl.spaces.base import Space
from nasdsl.spaces.neighbourhood import neighbours
from nasdsl.spaces.path_encoding import feature_count, features

_NEIGHBOURS_KEPT = 1 << 12
"""Neighbourhoods remembered per run (the best parents change slowly)."""

INITIAL = Param("initial", IntType(1, MAX_POPULATION), 10, "random architectures before the first prediction")
BATCH = Param("batch", IntType(1, MAX_POPULATION), 10, "architectures chosen and evaluated together")
RETRAIN = Param("retrain", IntType(1), 10, "evaluations between refits of the predictor")
ENSEMBLE = Param("ensemble", IntType(2, MAX_ENSEMBLE), 5, "neural predictors in the ensemble")
PARENTS = Param("parents", IntType(1, MAX_PARENTS), 10, "best architectures whose neighbours are candidates")


class Bananas(Optimizer):
    """`initial` random architectures first (default 10), then batches of `batch` (10)
    chosen by the predictor, refitted every `retrain` evaluations (10), an ensemble of
    `ensemble` networks (5), candidates around the `parents` best (10).

    Generation 0 is the initial sample, generation g the g-th chosen batch."""

    name: ClassVar[str] = "bananas"
    parameters: ClassVar = (INITIAL, BATCH, RETRAIN, ENSEMBLE, PARENTS)

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return max(int(settings.get("initial", INITIAL.default)),
                   int(settings.get("batch", BATCH.default)))

    def __init__(self, space: Space, initial: int = INITIAL.default, batch: int = BATCH.default,
                 retrain: int = RETRAIN.default, ensemble: int = ENSEMBLE.default,
                 parents: int = PARENTS.default):
        values = {"initial": initial, "batch": batch, "retrain": retrain,
                  "ensemble": ensemble, "parents": parents}
        for key, value in values.items():
            if int(value) < 1:
                raise ValueError(f"{key} must be at least 1, not {value}")
        if int(ensemble) < 2:
            raise ValueError("ensemble must be at least 2 (its spread is the uncertainty)")
        within_bounds(self.parameters, values)
        self.initial, self.batch, self.retrain = int(initial), int(batch), int(retrain)
        self.ensemble, self.parents = int(ensemble), int(parents)
        super().__init__(space, **{k: int(v) for k, v in values.items()})

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        space = self.space
        paid = Paid(space, evaluate_batch, budget)
        model = MLPEnsemble(feature_count(space), int(rng.integers(2 ** 31)),
                            members=self.ensemble)
        encoded: dict[str, np.ndarray] = {}
        around: dict[str, list[Hashable]] = {}

        def encode(arch: Hashable) -> np.ndarray:
            k = paid.key(arch)
            x = encoded.get(k)
            if x is None:
                x = encoded[k] = features(space, arch)
            return x

        paid.fitnesses([space.sample(rng) for _ in range(self.initial)], 0)
        fitted_at = -self.retrain
        generation = 1
        while not paid.spent:
            ok = [i for i, v in enumerate(paid.values) if v > -np.inf]
            if not ok:  # nothing valid to learn from yet
                paid.fitnesses([space.sample(rng) for _ in range(self.batch)], generation)
                generation += 1
                continue
            if len(paid.values) - fitted_at >= self.retrain:
                x = np.stack([encode(paid.archs[i]) for i in ok])
                model.fit(x, np.array([paid.values[i] for i in ok]))
                fitted_at = len(paid.values)
            pool = self._candidates(paid, ok, around)
            if not pool:
                pool = [space.sample(rng) for _ in range(self.batch)]
            predictions = model.predict(np.stack([encode(a) for a in pool]))
            draws = predictions.mean(axis=0) + predictions.std(axis=0) * \
                rng.standard_normal(len(pool))
            order = np.argsort(-draws, kind="stable")[: self.batch].tolist()
            chosen = [pool[i] for i in order]
            if len(paid.fitnesses(chosen, generation)) < len(chosen):
                break
            generation += 1
        return evaluate_batch.history

    def _candidates(self, paid: Paid, ok: list[int],
                    around: dict[str, list[Hashable]]) -> list[Hashable]:
        """Unevaluated neighbours of the `parents` best evaluated architectures."""
        best = sorted(ok, key=lambda i: -paid.values[i])[: self.parents]
        pool: dict[str, Hashable] = {}
        for i in best:
            parent = paid.archs[i]
            k = paid.key(parent)
            near = around.get(k)
            if near is None:
                if len(around) >= _NEIGHBOURS_KEPT:
                    around.clear()
                near = around[k] = neighbours(self.space, parent)
            for child in near:
                ck = paid.key(child)
                if ck not in paid.known and ck not in pool:
                    pool[ck] = child
        return list(pool.values())
