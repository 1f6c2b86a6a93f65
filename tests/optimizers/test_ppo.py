"""The PPO controller: deterministic for a seed, never takes a disallowed action, learns,
checks its settings. Small budgets."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.dsl import loads
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import make_optimizer
from nasdsl.optimizers.ppo import PPOSearch, choose
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace


@pytest.fixture(scope="module")
def evaluator(nb101_store):
    return NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())


def _keys(space, history) -> list[str]:
    return [str(space.key(e.arch)) for e in history]


def test_a_run_is_determined_by_its_seed(evaluator):
    space = CellSpace(inputs=2)
    runs = []
    for seed in (3, 3, 4):
        search = PPOSearch(space, units=16, batch=10)
        runs.append((search.optimize(evaluator, budget=40, seed=seed), search.outcome()))
    (a, outcome_a), (b, outcome_b), (c, _) = runs
    assert _keys(space, a) == _keys(space, b)
    assert [e.fitness for e in a] == [e.fitness for e in b]
    assert outcome_a == outcome_b and outcome_a["updates"] == 4
    assert outcome_a["episodes"] == 40
    assert _keys(space, a) != _keys(space, c)
    # A batch is one generation of the journal.
    assert [e.generation for e in a] == [i // 10 for i in range(40)]


def test_a_sample_is_always_an_allowed_action():
    """Even when a disallowed action has by far the highest logit."""
    rng = np.random.default_rng(0)
    for _ in range(2000):
        n = int(rng.integers(2, 30))
        mask = rng.random(n) < 0.4
        mask[rng.integers(n)] = True
        logits = rng.normal(size=n) * 5
        logits[~mask] = 1e6
        assert mask[choose(logits, mask, rng)]
        assert mask[choose(logits, mask, None)]
    # Drawn in proportion to the softmax over the allowed actions.
    mask = np.array([True, False, True])
    logits = np.array([0.0, 50.0, np.log(3.0)])
    draws = [choose(logits, mask, rng) for _ in range(4000)]
    assert set(draws) == {0, 2}
    assert np.mean(np.array(draws) == 2) == pytest.approx(0.75, abs=0.03)


@pytest.mark.parametrize("space", [CellSpace(topology="chain"), CellSpace(inputs=2)],
                         ids=["chain", "inputs-2"])
def test_the_policy_stays_inside_a_constrained_space(space, evaluator):
    search = PPOSearch(space, units=16, batch=10)
    taken: list[tuple[np.ndarray, int]] = []
    play = search._play

    def watched_play(network, rng, count, greedy=False):
        episodes, decisions = play(network, rng, count, greedy)
        for steps in decisions:
            taken.extend((mask, action) for _, mask, action in steps)
        return episodes, decisions

    search._play = watched_play
    history = search.optimize(evaluator, budget=60, seed=1)
    assert len(history) == 60 and taken
    assert all(mask[action] for mask, action in taken)
    assert all(space.invalid_reason(e.arch) is None for e in history)
    assert all(e.result.status == "ok" for e in history)  # all in the table
    assert space.invalid_reason(space.parse(search.outcome()["greedy"])) is None
    if space.topology == "chain":
        assert all(max(sum(col) for col in zip(*e.arch.matrix)) <= 1 for e in history)
    else:
        assert all(max(sum(col) for col in zip(*e.arch.matrix)) <= 2 for e in history)
    # The environment offers the controller disallowed actions to avoid at all.
    assert any(not mask.all() for mask, _ in taken)


def _toy_reward(arch: GlobalArch) -> float:
    """Best: three conv3x3/32 layers (1.0); each other layer costs."""
    return sum(0.3 if layer == ("conv3x3", 32) else 0.05 for layer in arch.layers) + 0.1


def test_the_policy_learns_a_toy_reward_on_the_global_space():
    space = GlobalSpace(layers=(1, 3), ops=("conv3x3", "maxpool2x2"), filters=(16, 32))
    search = PPOSearch(space, units=16, batch=10, learning_rate=0.01)
    history = search.optimize(_toy_reward, budget=200, seed=0)
    best = GlobalArch((("conv3x3", 32),) * 3)
    assert search.outcome()["greedy_key"] == str(space.key(best))
    fitness = [e.fitness for e in history]
    assert np.mean(fitness[-30:]) > np.mean(fitness[:30]) + 0.2


def test_settings_are_checked_in_python():
    for settings in ({"units": 0}, {"batch": 0}, {"epochs": 0}, {"clip": 0.0},
                     {"clip": 1.0}, {"entropy": -0.1}, {"learning_rate": 0.0},
                     {"batch": 2.5}, {"minibatches": 0}):
        with pytest.raises(ValueError):
            PPOSearch(CellSpace(), **settings)
    search = make_optimizer("ppo", CellSpace(), {"units": 8, "clip": 0.1})
    assert (search.units, search.clip, search.batch) == (8, 0.1, 10)


BASE = "budget = 150 evaluations\nspace cell { inputs = 2 }\nevaluate nasbench101 { }\n"


def test_the_language_compiles_ppo_with_its_defaults():
    (config,) = loads(BASE + "search ppo { batch = 16; entropy = 0.02 }\n").configs
    assert dict(config.settings) == {"units": 64, "batch": 16, "epochs": 4,
                                     "minibatches": 4, "clip": 0.2, "entropy": 0.02,
                                     "value": 0.5, "learning_rate": 0.001}
