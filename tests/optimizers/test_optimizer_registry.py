"""DSL names to classes, settings checked; NORD-style `optimize` with any evaluator."""
from __future__ import annotations

import pytest

from nasdsl.registry import ComponentError
from nasdsl.settings import SettingError
from nasdsl.optimizers import ALGORITHMS, RandomSearch, RegularizedEvolution, make_optimizer
from nasdsl.plan import Call
from nasdsl.result import Result


def test_dsl_names_build_their_classes(space):
    assert isinstance(make_optimizer("random", space, {}), RandomSearch)
    re = make_optimizer("regularized_evolution", space,
                        {"population": 64, "sample": 16, "mutation": Call("flip", {"rate": 0.5})})
    assert isinstance(re, RegularizedEvolution)
    assert (re.population, re.sample, re.mutation) == (64, 16, Call("flip", {"rate": 0.5}))
    assert "random" in ALGORITHMS and "regularized_evolution" in ALGORITHMS


def test_unknown_algorithm_lists_the_accepted_ones(space):
    with pytest.raises(ComponentError) as e:
        make_optimizer("regularised_evolution", space, {})
    assert "regularized_evolution" in e.value.accepted


@pytest.mark.parametrize("settings", [{"populaton": 10}, {"population": 5, "sample": 10},
                                      {"mutation": Call("shrink", {})}])
def test_bad_settings_are_setting_errors(space, settings):
    with pytest.raises(SettingError):
        make_optimizer("regularized_evolution", space, settings)


def test_random_search_takes_no_settings(space):
    with pytest.raises(SettingError):
        make_optimizer("random", space, {"population": 10})


class NordStyleEvaluator:
    """NORD's BenchmarkEvaluator shape: descriptor in, (accuracy, training_time) out."""

    def __init__(self):
        self.seen = []

    def descriptor_evaluate(self, descriptor, acc="validation_accuracy"):
        self.seen.append(descriptor)
        arch = descriptor["layers"]["id"][0]
        return (arch % 97) / 97, 100.0


def test_optimize_accepts_a_nord_descriptor_evaluator(space):
    evaluator = NordStyleEvaluator()
    history = RegularizedEvolution(space, population=10, sample=3, mutation="grow").optimize(
        evaluator, budget=60, seed=0)
    assert len(history) == 60 == len(evaluator.seen)
    first = history.evaluations[0]
    assert first.result.cost_seconds == 100.0
    assert first.fitness == pytest.approx((first.arch % 97) / 97)
    assert history.best().fitness == max(e.fitness for e in history)


def test_optimize_records_a_raising_nord_evaluator_as_failed(space):
    class Broken:
        def descriptor_evaluate(self, descriptor):
            raise RuntimeError("out of memory")

    history = RandomSearch(space).optimize(Broken(), budget=5, seed=0)
    assert [e.result.status for e in history] == ["failed"] * 5
    assert history.best() is None


def test_optimize_accepts_a_result_returning_callable(space):
    history = RandomSearch(space).optimize(lambda a: Result(fitness=float(a)), budget=7, seed=0)
    assert history.best().arch == 6


def test_optimize_gives_a_seeded_evaluator_the_runners_evaluation_seeds(space):
    from nasdsl.seeding import evaluation_seed

    class Seeded:
        def __init__(self):
            self.seeds = []

        def evaluate(self, arch, seed=None):
            self.seeds.append(seed)
            return Result(fitness=0.5)

    evaluator = Seeded()
    RandomSearch(space).optimize(evaluator, budget=4, seed=11)
    assert evaluator.seeds == [evaluation_seed(11, i) for i in range(4)]


def test_optimize_records_a_raising_evaluate_as_failed(space):
    class Raising:
        def evaluate(self, arch):
            raise ValueError("not in the table")

    history = RandomSearch(space).optimize(Raising(), budget=3, seed=0)
    assert {e.result.status for e in history} == {"failed"}
    assert "not in the table" in history.evaluations[0].result.error
