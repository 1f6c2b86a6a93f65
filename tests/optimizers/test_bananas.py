"""BANANAS on the real table: a predictor learns from the run's own evaluations only."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import RandomSearch, make_optimizer
from nasdsl.settings import SettingError
from nasdsl.optimizers.bananas import Bananas
from nasdsl.optimizers.mlp_ensemble import MLPEnsemble
from nasdsl.spaces.cell_space import CellSpace


@pytest.fixture(scope="module")
def evaluator(nb101_store):
    return NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())


def test_batches_are_new_cells_and_runs_replay_from_their_seed(evaluator):
    space = CellSpace()
    a = Bananas(space, batch=5, retrain=10).optimize(evaluator, budget=60, seed=3)
    b = Bananas(space, batch=5, retrain=10).optimize(evaluator, budget=60, seed=3)
    keys = [space.key(e.arch) for e in a]
    assert len(keys) == 60 == len(set(keys))
    assert keys == [space.key(e.arch) for e in b]
    generations = [e.generation for e in a]
    assert generations[:10] == [0] * 10 and generations[10:15] == [1] * 5


@pytest.mark.slow
def test_it_beats_random_search_at_150_evaluations(evaluator):
    """Over 4 seeds (more in experiments/nb101_search_quality.nas): the table's random
    search reaches about 0.938 at 150 evaluations, BANANAS about 0.943."""
    space = CellSpace()
    ours = [Bananas(space).optimize(evaluator, 150, seed=s).best().fitness for s in range(4)]
    rs = [RandomSearch(space).optimize(evaluator, 150, seed=s).best().fitness for s in range(4)]
    assert np.mean(ours) > np.mean(rs) and np.mean(ours) > 0.94


def test_the_ensemble_learns_and_disagrees_off_its_data():
    rng = np.random.default_rng(0)
    x = (rng.random((300, 40)) < 0.2).astype(float)
    w = rng.normal(size=40)
    y = x @ w
    model = MLPEnsemble(40, seed=1).fit(x[:200], y[:200])
    held = model.predict(x[200:])
    assert held.shape == (5, 100)
    assert np.corrcoef(held.mean(axis=0), y[200:])[0, 1] > 0.8
    assert (held.std(axis=0) > 0).all()
    again = MLPEnsemble(40, seed=1).fit(x[:200], y[:200]).predict(x[200:])
    assert np.array_equal(held, again)


def test_settings_are_checked():
    space = CellSpace()
    made = make_optimizer("bananas", space, {"batch": 4, "retrain": 20})
    assert (made.batch, made.retrain, made.ensemble) == (4, 20, 5)
    for bad in ({"batch": 0}, {"ensemble": 1}, {"batches": 3}):
        with pytest.raises(SettingError):
            make_optimizer("bananas", space, bad)
