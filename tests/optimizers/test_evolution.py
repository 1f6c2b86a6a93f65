"""Regularized evolution: ageing queue, tournament parents, determinism, generations."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nasdsl.optimizers import RegularizedEvolution
from nasdsl.plan import Budget, Call

from search_fixtures import CountingSpace, TableEvaluator


def _windows(history, population):
    """The population each step chose from: the P evaluations before the child."""
    archs = [e.arch for e in history]
    return [archs[k:k + population] for k in range(len(archs) - population)]


def test_oldest_member_leaves_even_when_it_is_the_best(space, table):
    values = table.values.copy()
    values[0] = 10.0  # the first initial member is far better than anything else
    history = RegularizedEvolution(space, population=5, sample=5, mutation="flip").optimize(
        TableEvaluator(values), budget=30, seed=0)
    assert space.parents[0] == 0  # while it is in the queue, it wins every tournament
    assert 0 not in space.parents[1:]  # after one step it has aged out
    for parent, window in zip(space.parents, _windows(history, 5)):
        assert parent == max(window, key=lambda a: values[a])


@settings(max_examples=40, deadline=None)
@given(population=st.integers(1, 12), sample=st.integers(1, 12), seed=st.integers(0, 10_000))
def test_parent_is_the_best_of_a_sample_of_the_current_queue(population, sample, seed):
    sample = min(sample, population)
    space = CountingSpace()
    values = np.random.default_rng(seed).random(1000)
    history = RegularizedEvolution(space, population, sample, "grow").optimize(
        TableEvaluator(values), budget=population + 40, seed=seed)
    assert len(history) == population + 40
    for parent, window in zip(space.parents, _windows(history, population)):
        assert parent in window
        beaten = sum(values[a] < values[parent] for a in window)
        assert beaten >= sample - 1


def test_small_samples_do_not_always_pick_the_queue_best(space, table):
    history = RegularizedEvolution(space, population=20, sample=2).optimize(
        table, budget=220, seed=3)
    best_each_step = [max(w, key=lambda a: table.values[a]) for w in _windows(history, 20)]
    assert any(p != b for p, b in zip(space.parents, best_each_step))


def test_same_seed_same_search_other_seed_other_search(table):
    def run(seed):
        h = RegularizedEvolution(CountingSpace(), 10, 3).optimize(
            TableEvaluator(np.random.default_rng(seed + 1).random(1000)), budget=200, seed=7)
        return [(e.index, e.generation, e.arch, e.fitness) for e in h]

    def parents(seed):
        space = CountingSpace()
        RegularizedEvolution(space, 10, 3).optimize(table, budget=200, seed=seed)
        return space.parents

    assert parents(5) == parents(5)
    assert parents(5) != parents(6)
    assert run(1) == run(1)


def test_generations_are_index_over_population(space, table):
    history = RegularizedEvolution(space, population=8, sample=3).optimize(table, 50, seed=0)
    assert [e.index for e in history] == list(range(50))
    assert [e.generation for e in history] == [i // 8 for i in range(50)]
    assert space.samples == 8 and len(space.parents) == 42


def test_initial_population_is_one_batch_then_one_child_per_call(space, table):
    calls = []

    class Recording:
        def __init__(self, inner):
            self.inner, self.history = inner, inner.history

        def __call__(self, candidates, generation):
            calls.append((len(candidates), generation))
            return self.inner(candidates, generation)

    from nasdsl.optimizers import BudgetMeter, MemoryEvaluateBatch

    meter = BudgetMeter(Budget(30, "evaluations"))
    batch = Recording(MemoryEvaluateBatch(lambda arch, index: table.evaluate(arch), meter))
    RegularizedEvolution(space, population=10, sample=2).search(batch, meter,
                                                                np.random.default_rng(0))
    assert calls[0] == (10, 0)
    assert calls[1:] == [(1, i // 10) for i in range(10, 30)]


def test_budget_smaller_than_population_evaluates_only_the_budget(space, table):
    history = RegularizedEvolution(space, population=100, sample=25).optimize(table, 40, 0)
    assert len(history) == 40 and space.parents == []


def test_invalid_results_are_never_parents(space, table):
    invalid = frozenset(range(0, 100_000, 2))  # every even id is refused
    values = table.values.copy()
    values[list(invalid)] = 99.0  # a fitness that would win, were it looked at
    history = RegularizedEvolution(space, population=10, sample=4).optimize(
        TableEvaluator(values, invalid), budget=300, seed=1)
    assert space.parents and all(p % 2 == 1 for p in space.parents)
    assert all(e.fitness is None for e in history if e.arch in invalid)
    assert history.best().arch % 2 == 1


def test_all_invalid_sample_draws_a_fresh_architecture(space, table):
    everything = frozenset(range(100_000))
    RegularizedEvolution(space, population=5, sample=2).optimize(
        TableEvaluator(table.values, everything), budget=25, seed=0)
    assert space.parents == [] and space.samples == 25


def test_time_budget_stops_after_the_evaluation_that_crosses_it(space, table):
    evaluator = TableEvaluator(table.values, cost=2.5)
    history = RegularizedEvolution(space, population=4, sample=2).optimize(
        evaluator, Budget(21, "seconds"), seed=0)
    assert len(history) == 9  # 8 × 2.5 = 20 < 21, the 9th crosses it


def test_best_is_the_fittest_evaluation(space, table):
    history = RegularizedEvolution(space, population=10, sample=5).optimize(table, 200, 0)
    assert history.best().fitness == max(e.fitness for e in history)
    assert not math.isinf(history.best().fitness)


def test_evolution_climbs_where_random_choice_would_not(table):
    """On a space where a child is its parent plus noise, selection must pay off."""

    class Line:
        def sample(self, rng):
            return float(rng.random())

        def mutate(self, arch, rng, mutation):
            return arch + float(rng.normal(0.0, 0.05))

    h = RegularizedEvolution(Line(), population=20, sample=10).optimize(lambda a: a, 500, 0)
    assert h.best().fitness > 2.0


@pytest.mark.parametrize("bad", [dict(population=0), dict(population=5, sample=6),
                                 dict(sample=0), dict(mutation="shrink")])
def test_bad_settings_are_refused(space, bad):
    with pytest.raises(ValueError):
        RegularizedEvolution(space, **bad)


def test_mutation_given_as_name_or_call(space):
    assert RegularizedEvolution(space, mutation="flip").mutation == Call("flip", {})
    grow = Call("grow", {"add_node": 0.3})
    assert RegularizedEvolution(space, mutation=grow).mutation is grow
    assert RegularizedEvolution(space).mutation.name == "grow"


def test_optimize_stops_on_an_evaluator_that_cannot_answer(nb101_store):
    """A store without the fitness metric is a DataError, not 1,500 silently failed results."""
    from nasdsl.errors import DataError
    from nasdsl.evaluators import NASBench101Evaluator
    from nasdsl.spaces.cell_space import CellSpace

    evaluator = NASBench101Evaluator(nb101_store, fitness="validation_accuracy")
    with pytest.raises(DataError, match="validation_accuracy"):
        RegularizedEvolution(CellSpace(), population=10, sample=3).optimize(evaluator, budget=20)


def test_history_best_skips_nan_and_invalid_results():
    from nasdsl.optimizers.base import Evaluation, History
    from nasdsl.result import Result

    h = History([Evaluation(0, 0, "a", Result(float("nan"))),
                 Evaluation(1, 0, "b", Result(0.5)),
                 Evaluation(2, 0, "c", Result(0.9, status="invalid")),
                 Evaluation(3, 0, "d", Result(0.7)),
                 Evaluation(4, 0, "e", Result(0.7))])
    assert h.best().arch == "d"
