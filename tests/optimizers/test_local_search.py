"""Local search on the real table: its climbs, its memory, its constrained spaces."""
from __future__ import annotations

import pytest

from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import make_optimizer
from nasdsl.settings import SettingError
from nasdsl.optimizers.local_search import LocalSearch
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.neighbourhood import neighbours


@pytest.fixture(scope="module")
def evaluator(nb101_store):
    return NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())


def test_each_climb_walks_uphill_through_neighbours_to_a_local_optimum(evaluator):
    """A climb evaluates neighbours of cells at least as good as its start (it may step onto
    a neighbour it already knows without evaluating it), and a finished climb leaves a local
    optimum behind: a cell whose whole neighbourhood it knows, none of it better."""
    space = CellSpace()
    history = LocalSearch(space, initial=5).optimize(evaluator, budget=400, seed=2)
    climbs: dict[int, list] = {}
    for e in history:
        climbs.setdefault(e.generation, []).append(e)
    assert len(climbs) >= 2  # it got stuck at least once and restarted
    known: dict[str, tuple] = {}
    near: dict[str, set[str]] = {}

    def around(arch) -> set[str]:
        k = space.key(arch)
        if k not in near:
            near[k] = {space.key(c) for c in neighbours(space, arch)}
        return near[k]

    for g, evaluations in sorted(climbs.items()):
        starts, rest = evaluations[:5], evaluations[5:]
        for e in starts:
            known[space.key(e.arch)] = (e.arch, e.fitness)
        floor = max(e.fitness for e in starts)
        for e in rest:
            key = space.key(e.arch)
            assert any(key in around(a) for a, f in known.values() if f >= floor)
            known[space.key(e.arch)] = (e.arch, e.fitness)
        if g < max(climbs):
            def optimum(arch, f):
                return all(k in known and known[k][1] <= f for k in around(arch))
            assert any(optimum(a, f) for a, f in known.values() if f >= floor)


def test_nothing_is_evaluated_twice_and_runs_replay_from_their_seed(evaluator):
    space = CellSpace()
    a = LocalSearch(space).optimize(evaluator, budget=300, seed=7)
    b = LocalSearch(space).optimize(evaluator, budget=300, seed=7)
    keys = [space.key(e.arch) for e in a]
    assert len(keys) == 300 == len(set(keys))
    assert keys == [space.key(e.arch) for e in b]
    assert keys != [space.key(e.arch) for e in LocalSearch(space).optimize(evaluator, 300, 8)]


@pytest.mark.parametrize("settings", [{"topology": "chain"}, {"inputs": 2},
                                      {"vertices": 5, "ops": ["conv3x3", "maxpool3x3"]}],
                         ids=str)
def test_a_constrained_space_search_stays_inside_it(evaluator, settings):
    """Chains, the study's wide space (at most two inputs into any vertex) and a small
    space: every cell evaluated is in the space, and the climbs move (neighbours exist
    there)."""
    space = CellSpace(**settings)
    history = LocalSearch(space, initial=3).optimize(evaluator, budget=200, seed=0)
    assert len(history) == 200
    assert all(space.is_valid(e.arch) for e in history)
    assert all(e.result.status == "ok" for e in history)
    assert len({e.generation for e in history}) < 200 // 3  # climbs, not only restarts


def test_settings_are_checked():
    space = CellSpace()
    assert make_optimizer("local_search", space, {"initial": 3}).initial == 3
    with pytest.raises(SettingError):
        make_optimizer("local_search", space, {"initial": 0})
    with pytest.raises(SettingError):
        make_optimizer("local_search", space, {"population": 3})


@pytest.mark.parametrize("search", ["local_search", "bananas"])
def test_a_space_smaller_than_the_budget_is_evaluated_once_and_the_search_ends(evaluator,
                                                                              search):
    """13 cells and a budget of 50: every cell once, then the search stops (no repeats are
    asked for, and it does not loop forever on what it knows)."""
    space = CellSpace(vertices=4, ops=["conv3x3"])
    history = make_optimizer(search, space, {"initial": 3}).optimize(evaluator, 50, seed=1)
    keys = [space.key(e.arch) for e in history]
    assert len(keys) == len(set(keys)) == space.size() == 13
