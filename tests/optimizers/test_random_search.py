"""Random search: chunks of 30, generation = index // 30, deterministic, budget-exact."""
from __future__ import annotations

import numpy as np

from nasdsl.optimizers import BudgetMeter, MemoryEvaluateBatch, RandomSearch
from nasdsl.plan import Budget

from search_fixtures import CountingSpace, TableEvaluator


def test_asks_in_aligned_chunks_of_thirty(space, table):
    calls = []
    meter = BudgetMeter(Budget(100, "evaluations"))
    inner = MemoryEvaluateBatch(lambda arch, index: table.evaluate(arch), meter)

    def batch(candidates, generation):
        calls.append((len(candidates), generation))
        return inner(candidates, generation)

    batch.history = inner.history
    history = RandomSearch(space).search(batch, meter, np.random.default_rng(0))
    assert calls == [(30, 0), (30, 1), (30, 2), (10, 3)]
    assert [e.generation for e in history] == [i // 30 for i in range(100)]
    assert space.parents == [] and space.samples == 100


def test_same_seed_same_candidates(table):
    def draws(seed):
        rng = np.random.default_rng(seed)
        history = RandomSearch(CountingSpace()).optimize(lambda a: rng.random(), 45, seed)
        return [e.fitness for e in history]

    assert draws(0) == draws(0) != draws(1)


def test_time_budget_counts_the_crossing_evaluation(space, table):
    history = RandomSearch(space).optimize(TableEvaluator(table.values, cost=10.0),
                                           Budget(95, "seconds"), seed=0)
    assert len(history) == 10


def test_best_skips_invalid_results(space, table):
    values = table.values.copy()
    values[:] = 0.5
    values[3] = 0.9
    values[4] = 5.0
    history = RandomSearch(space).optimize(TableEvaluator(values, frozenset({4})), 10, 0)
    assert history.best().arch == 3
