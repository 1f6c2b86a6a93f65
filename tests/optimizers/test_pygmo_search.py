"""`PygmoSearch`: pygmo's generations, the budget, batches and refusals, on the real table."""
from __future__ import annotations

from collections import Counter

import pygmo
import pytest

from nasdsl.settings.review import SettingError
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import make_optimizer
from nasdsl.optimizers.base import BudgetMeter
from nasdsl.evaluation.memory import MemoryEvaluateBatch, evaluation_function
from nasdsl.optimizers.pygmo_catalog import integer_native, pygmo_algorithms
from nasdsl.optimizers.pygmo_search import PygmoSearch
from nasdsl.plan import Budget
from nasdsl.spaces.cell_space import CellSpace

SPACE = CellSpace()
# name, settings, evaluations per generation at population 10
ALGORITHMS = [("gaco", {}, 10), ("pso", {}, 10), ("pso_gen", {}, 10),
              ("bee_colony", {"limit": 5}, 20), ("sga", {}, 10), ("de", {}, 10),
              ("cmaes", {}, 10)]


@pytest.fixture(scope="module")
def evaluator(nb101_store):
    return NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())


class Calls(MemoryEvaluateBatch):
    """The in-memory evaluate_batch, remembering the size and generation of each call."""

    def __init__(self, evaluator, budget: int):
        self.meter = BudgetMeter(Budget(budget, "evaluations"))
        super().__init__(evaluation_function(evaluator, SPACE), self.meter)
        self.calls: list[tuple[int, int]] = []

    def __call__(self, candidates, generation):
        self.calls.append((len(candidates), generation))
        return super().__call__(candidates, generation)


def _run(search: PygmoSearch, evaluator, budget: int, seed: int = 0) -> Calls:
    import numpy as np

    batch = Calls(evaluator, budget)
    search.search(batch, batch.meter, np.random.default_rng(seed))
    return batch


@pytest.mark.parametrize("name, settings, per", ALGORITHMS)
def test_generations_are_pygmos_and_spend_what_pygmo_spends(evaluator, name, settings, per):
    search = PygmoSearch(SPACE, name, population=10, generations=4, **settings)
    assert search.per_generation == per
    batch = _run(search, evaluator, budget=10_000)
    counts = Counter(e.generation for e in batch.history)
    assert counts == {0: 10, 1: per, 2: per, 3: per, 4: per}
    # pygmo itself, evolved the same way outside nasdsl, spends the same evaluations
    kwargs = {"ker": 10} if name == "gaco" else {}
    population = pygmo.population(pygmo.problem(pygmo.rosenbrock(26)), 10, seed=0)
    evolved = pygmo.algorithm(getattr(pygmo, name)(gen=4, **settings, **kwargs)).evolve(
        population)
    assert evolved.problem.get_fevals() == len(batch.history)


@pytest.mark.parametrize("name, batched", [("gaco", True), ("pso_gen", True), ("cmaes", True),
                                           ("pso", False), ("bee_colony", False)])
def test_algorithms_with_a_batch_evaluator_ask_for_whole_generations(evaluator, name, batched):
    assert pygmo_algorithms()[name].batches is batched
    batch = _run(PygmoSearch(SPACE, name, population=12, generations=3), evaluator, 10_000)
    assert batch.calls[0] == (12, 0)  # the initial population is always one batch
    sizes = {size for size, _ in batch.calls[1:]}
    assert sizes == ({12} if batched else {1})


@pytest.mark.parametrize("name", ["gaco", "pso", "bee_colony"])
def test_the_budget_stops_the_search_inside_a_generation(evaluator, name):
    search = PygmoSearch(SPACE, name, population=10, generations=50)
    batch = _run(search, evaluator, budget=10 + 2 * search.per_generation + 3)
    assert len(batch.history) == batch.meter.budget.amount
    counts = Counter(e.generation for e in batch.history)
    assert counts[3] == 3 and max(counts) == 3
    assert batch.history.best() is not None


def test_without_generations_it_evolves_until_the_budget_is_spent(evaluator):
    for name in ("pso", "de", "sea"):
        batch = _run(PygmoSearch(SPACE, name, population=10), evaluator, budget=157)
        assert len(batch.history) == 157, name


def test_a_search_pygmo_has_stopped_ends_before_its_budget(evaluator):
    # CMA-ES stops when its population has converged (ftol, xtol); evolved again, it asks
    # for nothing, and the search ends there rather than looping.
    batch = _run(PygmoSearch(SPACE, "cmaes", population=10), evaluator, budget=1500, seed=11)
    assert 10 < len(batch.history) < 1500
    assert not batch.meter.exhausted
    # compass search, evolved again from where it stopped, goes on until the budget is spent
    batch = _run(PygmoSearch(SPACE, "compass_search", population=10, max_fevals=50),
                 evaluator, budget=400)
    assert len(batch.history) == 400


def test_the_same_seed_gives_the_same_search(evaluator):
    search = PygmoSearch(SPACE, "pso", population=10, generations=5)
    a, b = _run(search, evaluator, 500, seed=7), _run(search, evaluator, 500, seed=7)
    c = _run(search, evaluator, 500, seed=8)
    assert [SPACE.key(e.arch) for e in a.history] == [SPACE.key(e.arch) for e in b.history]
    assert [SPACE.key(e.arch) for e in a.history] != [SPACE.key(e.arch) for e in c.history]


def test_optimize_from_python(evaluator):
    from nasdsl.optimizers import NASProblem, PygmoSearch as exported
    from nasdsl.optimizers.pygmo_problem import NASProblem as defined

    assert exported is PygmoSearch and NASProblem is defined
    history = exported(SPACE, "pso", population=20).optimize(evaluator, 300, seed=0)
    assert len(history) == 300
    assert history.best().fitness > 0.93


def test_integer_algorithms_search_integers_the_others_rounded_reals():
    assert [n for n in ("gaco", "sga", "ihs", "pso", "bee_colony", "de", "cmaes")
            if integer_native(n)] == ["gaco", "sga", "ihs"]
    assert PygmoSearch(SPACE, "gaco", population=10).integer
    assert not PygmoSearch(SPACE, "pso", population=10).integer


def test_settings_pygmo_refuses_are_refused_with_pygmos_reason():
    with pytest.raises(ValueError, match="solution archive bigger than the population size"):
        PygmoSearch(SPACE, "gaco", population=30, ker=40)
    with pytest.raises(ValueError, match="at least 5 individuals"):
        PygmoSearch(SPACE, "de", population=3)
    with pytest.raises(ValueError, match="variant must be in"):
        PygmoSearch(SPACE, "pso", variant=9)
    with pytest.raises(SettingError, match="at least 5 individuals"):
        make_optimizer("pygmo.de", SPACE, {"population": 3})


def test_unknown_settings_name_the_closest():
    with pytest.raises(ValueError, match="did you mean 'omega'"):
        PygmoSearch(SPACE, "pso", omgea=0.7)
    with pytest.raises(ValueError, match="did you mean 'pso'"):
        PygmoSearch(SPACE, "psoo")
    nsga2 = PygmoSearch(SPACE, "nsga2")  # multi-objective: it takes `objectives` only
    assert nsga2.multi_objective and not nsga2.single_objective
    with pytest.raises(ValueError, match="set by the search"):
        PygmoSearch(SPACE, "pso", seed=3)


def test_a_space_whose_vectors_cannot_all_be_repaired_is_refused():
    with pytest.raises(ValueError, match="the space allows only chains of layers"):
        PygmoSearch(CellSpace(topology="chain"), "pso")


def test_a_default_archive_above_the_population_becomes_the_population():
    assert PygmoSearch(SPACE, "gaco", population=12).keywords["ker"] == 12
    assert PygmoSearch(SPACE, "gaco", population=100).keywords == {}
