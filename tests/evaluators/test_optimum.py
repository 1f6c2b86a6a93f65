"""Regret is measured against the best of the declared space, read from the store the
evaluator uses: exact, since the store holds every NAS-Bench-101 cell."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.evaluators.optimum import in_space, space_optimum
from nasdsl.spaces import CellSpace
from nasdsl.store.nasbench101 import NASBench101Store


def _space(vertices=7, edges=9, ops=("conv1x1", "conv3x3", "maxpool3x3"), topology="dag",
           inputs=None):
    settings = {"vertices": vertices, "edges": edges, "ops": list(ops), "topology": topology}
    return {"kind": "cell", "settings": settings if inputs is None else {**settings,
                                                                        "inputs": inputs}}


SPACES = [_space(), _space(topology="chain"), _space(5, 6, ("conv3x3", "conv1x1")),
          _space(6, 5, ("maxpool3x3",)), _space(7, 7, ("conv3x3", "maxpool3x3")),
          _space(4, 9, ("conv1x1-bn-relu",), topology="chain"), _space(inputs=2),
          _space(6, 7, ("conv3x3", "maxpool3x3"), inputs=1)]


def test_nasbench101_optimum_is_the_tables_best(nb101_store):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(nb101_store), "epochs": 108}}
    assert space_optimum(evaluator, "test_accuracy") == pytest.approx(0.94661, abs=1e-5)
    assert space_optimum(evaluator, "test_accuracy", _space()) == \
        space_optimum(evaluator, "test_accuracy")


@pytest.mark.parametrize("space", SPACES, ids=lambda s: repr(s["settings"]))
def test_the_store_cells_of_a_space_are_exactly_that_space(nb101_store, space):
    """As many store cells pass the space's rules as the space has architectures (counted
    independently, by Burnside's lemma), and sampled members of the space are among them."""
    store = NASBench101Store.open(nb101_store)
    inside = in_space(store, space)
    cells = CellSpace(**space["settings"])
    assert int(inside.sum()) == cells.size()
    rng = np.random.default_rng(0)
    rows = store.rows([cells.key(cells.sample(rng)) for _ in range(50)])
    assert (rows >= 0).all() and inside[rows].all()


def test_a_sub_space_has_its_own_best(nb101_store):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(nb101_store), "epochs": 108}}
    chain = _space(topology="chain")
    best = space_optimum(evaluator, "test_accuracy", chain)
    store = NASBench101Store.open(nb101_store)
    inside = np.flatnonzero(in_space(store, chain))
    values = np.asarray(store.array("test_accuracy")[inside, store.epochs.index(108), 0])
    assert best == pytest.approx(float(np.nanmax(values)))
    assert best < space_optimum(evaluator, "test_accuracy") - 0.01  # the chain's best is lower


def test_unknown_metrics_and_other_evaluators_have_no_optimum(nb101_store):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(nb101_store)}}
    assert space_optimum(evaluator, "validation_accuracy") is None  # not in the shared table
    assert space_optimum({"kind": "keras", "settings": {}}, "test_accuracy") is None
    assert space_optimum(evaluator, "test_accuracy", {"kind": "global", "settings": {}}) is None


def test_a_missing_store_gives_no_optimum(tmp_path):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(tmp_path / "none")}}
    assert space_optimum(evaluator, "test_accuracy") is None
