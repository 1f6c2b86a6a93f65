"""`NASProblem` outside the runner: a pygmo problem any pygmo algorithm evolves, scored by
nasdsl's evaluator or by objects that speak only NORD's `descriptor_evaluate`."""
from __future__ import annotations

import numpy as np
import pygmo
import pytest

from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers.pygmo_problem import NASProblem
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.global_space import GlobalSpace

SPACE = CellSpace()


@pytest.fixture(scope="module")
def evaluator(nb101_store):
    return NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())


class BenchmarkShaped:
    """Only NORD's BenchmarkEvaluator protocol: `(accuracy, training_time)`, here answered
    by nasdsl's evaluator of the real table through that same protocol."""

    def __init__(self, inner: NASBench101Evaluator):
        self.inner = inner
        self.calls = 0

    def descriptor_evaluate(self, descriptor, acc="validation_accuracy"):
        self.calls += 1
        return self.inner.descriptor_evaluate(descriptor, acc=acc)


class LocalShaped:
    """NORD's LocalEvaluator return shape: `(loss, metrics, total_time)`, `epochs` required."""

    def __init__(self, inner: NASBench101Evaluator):
        self.inner = inner
        self.epochs: list[int] = []

    def descriptor_evaluate(self, descriptor, epochs, data_percentage=1, untrained=False,
                            dataset=None):
        self.epochs.append(epochs)
        accuracy, seconds = self.inner.descriptor_evaluate(descriptor, acc="test_accuracy")
        return 1.0 - accuracy, {"accuracy": accuracy}, seconds


def test_integer_problem_has_the_spaces_bounds_and_all_integer_dimensions(evaluator):
    problem = pygmo.problem(NASProblem(SPACE, evaluator))
    lower, upper = problem.get_bounds()
    assert list(lower) == [0] * 26 and list(upper) == [2] * 5 + [1] * 21
    assert problem.get_nix() == 26


def test_continuous_problem_gives_every_integer_an_interval_of_width_one(evaluator):
    problem = NASProblem(SPACE, evaluator, integer=False)
    lower, upper = problem.get_bounds()
    assert list(lower) == [-0.5] * 26 and list(upper) == [2.5] * 5 + [1.5] * 21
    assert problem.get_nix() == 0
    base = problem.encode(SPACE.sample(np.random.default_rng(0)))
    for value, op in [(-0.5, 0), (0.49, 0), (0.5, 1), (1.49, 1), (1.5, 2), (2.5, 2)]:
        x = base.copy()
        x[0] = value
        assert problem.decode(x).ops[1] == SPACE.ops[op]


def test_encode_then_decode_is_the_same_cell(evaluator):
    problem = NASProblem(SPACE, evaluator)
    rng = np.random.default_rng(1)
    for _ in range(50):
        cell = SPACE.sample(rng)
        assert SPACE.key(problem.decode(problem.encode(cell))) == SPACE.key(cell)


def test_fitness_is_minus_the_table_accuracy_and_every_call_is_recorded(evaluator):
    nas = NASProblem(SPACE, evaluator)
    problem = pygmo.problem(nas)
    cell = SPACE.sample(np.random.default_rng(2))
    value = problem.fitness(nas.encode(cell))
    assert value[0] == pytest.approx(-evaluator.evaluate(cell).fitness)
    values = problem.batch_fitness(np.concatenate([nas.encode(cell)] * 3))
    assert list(values) == [value[0]] * 3
    assert [e.index for e in nas.history] == [0, 1, 2, 3]
    assert [e.generation for e in nas.history] == [0, 1, 1, 1]  # one call, one batch


def test_without_repair_an_invalid_vector_is_recorded_invalid_and_scores_worst(evaluator):
    nas = NASProblem(SPACE, evaluator, repair=False)
    x = np.array([1] * 5 + [1] * 21, dtype=float)  # all 21 edges
    assert nas.fitness(x) == [0.0]  # accuracy 0: worse than any valid cell
    (evaluation,) = nas.history
    assert evaluation.result.status == "invalid"
    repaired = NASProblem(SPACE, evaluator)
    assert repaired.fitness(x)[0] < -0.5  # the repaired cell has a real accuracy
    assert SPACE.is_valid(repaired.history.evaluations[0].arch)


@pytest.mark.parametrize("name, kwargs, integer", [
    ("gaco", {"ker": 10}, True), ("pso", {}, False), ("bee_colony", {"limit": 5}, False),
    ("sga", {}, True), ("de", {}, False), ("cmaes", {"force_bounds": True}, False)])
def test_any_pygmo_algorithm_evolves_it(evaluator, name, kwargs, integer):
    nas = NASProblem(SPACE, evaluator, integer=integer, seed=3)
    population = pygmo.population(pygmo.problem(nas), size=10, seed=3)
    population = pygmo.algorithm(getattr(pygmo, name)(gen=5, seed=3, **kwargs)).evolve(
        population)
    history = nas.history  # pygmo's copies of the problem record into the same history
    assert len(history) == population.problem.get_fevals() >= 10 + 5 * 10
    assert all(e.result.status == "ok" for e in history)  # repaired: every cell is valid
    best = history.best().fitness
    assert population.champion_f[0] == pytest.approx(-best)
    assert 0.9 < best < 0.9433  # a real table accuracy, below the table's optimum


def test_a_nord_benchmark_evaluator_scores_it(evaluator):
    nord = BenchmarkShaped(evaluator)
    nas = NASProblem(SPACE, nord, evaluate_kwargs={"acc": "test_accuracy"})
    population = pygmo.population(pygmo.problem(nas), size=8, seed=0)
    pygmo.algorithm(pygmo.gaco(gen=3, ker=8, seed=0)).evolve(population)
    assert nord.calls == len(nas.history) == 8 + 3 * 8
    for e in nas.history:
        assert e.fitness == pytest.approx(evaluator.evaluate(e.arch).fitness)


def test_a_nord_local_evaluator_is_read_by_its_metrics(evaluator):
    nord = LocalShaped(evaluator)
    nas = NASProblem(SPACE, nord, fitness="accuracy", evaluate_kwargs={"epochs": 2})
    population = pygmo.population(pygmo.problem(nas), size=5, seed=1)
    assert set(nord.epochs) == {2} and len(nord.epochs) == 5
    assert population.champion_f[0] == pytest.approx(-max(e.fitness for e in nas.history))


def test_the_global_space_is_a_problem_too():
    space = GlobalSpace(layers=(3, 5), ops=("conv3x3", "maxpool2x2"), filters=(16, 32), skips=1)

    def width(arch) -> float:
        return float(sum(f or 0 for _, f in arch.layers))

    nas = NASProblem(space, width, integer=False)
    population = pygmo.population(pygmo.problem(nas), size=10, seed=0)
    population = pygmo.algorithm(pygmo.pso(gen=10, seed=0)).evolve(population)
    seen = [e.arch for e in nas.history]
    assert len(seen) == 10 + 10 * 10
    assert -population.champion_f[0] == max(width(a) for a in seen)
