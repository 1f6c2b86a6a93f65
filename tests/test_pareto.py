"""Fronts and their scores: the non-dominated set, pygmo's hypervolume, EvoXBench's
normalisation, and the true front of a space computed from the table and by brute force."""
from __future__ import annotations

import itertools

import numpy as np
import pygmo
import pytest

from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.evaluators.optimum import space_front
from nasdsl.nasbench101 import OP_STRINGS
from nasdsl.objectives import Objective, Objectives, signs
from nasdsl.pareto import (front, hypervolume, igd, nondominated, normalise,
                           normalised_hypervolume, share_found)
from nasdsl.plan import Call
from nasdsl.spaces import CellSpace

AIMS = (Objective("test_accuracy", "maximize"), Objective("parameters", "minimize"))
CALLS = [Call("maximize", {"metric": "test_accuracy"}), Call("minimize", {"metric": "parameters"})]


def _brute_nondominated(points: np.ndarray) -> np.ndarray:
    n = len(points)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            if i != j and np.all(points[j] <= points[i]) and (
                    np.any(points[j] < points[i]) or j < i):
                keep[i] = False
                break
    return keep


@pytest.mark.parametrize("objectives", [2, 3])
def test_nondominated_agrees_with_pairwise_comparison(objectives):
    rng = np.random.default_rng(objectives)
    points = rng.integers(0, 12, size=(150, objectives)).astype(float)  # many ties
    assert (nondominated(points) == _brute_nondominated(points)).all()


def test_hypervolume_of_a_hand_made_front_equals_pygmos_and_the_sum_of_its_rectangles():
    points = np.array([[0.2, 0.8], [0.5, 0.5], [0.8, 0.2], [0.9, 0.9], [1.2, 0.1]])
    by_hand = 0.8 * 0.2 + 0.5 * 0.3 + 0.2 * 0.3  # the last two add nothing
    assert hypervolume(points) == pytest.approx(by_hand)
    inside = points[:3]
    assert hypervolume(points) == pytest.approx(pygmo.hypervolume(inside).compute([1, 1]))


def test_normalised_scores_of_the_true_front_itself():
    true = np.array([[1.0, 40.0], [2.0, 20.0], [4.0, 10.0]])
    assert normalise(true, true).min() == 0 and normalise(true, true).max() == 1
    assert normalised_hypervolume(true, true) == pytest.approx(
        hypervolume(normalise(true, true)))
    assert igd(true, true) == 0.0
    assert share_found(true[:2], true) == pytest.approx(2 / 3)
    assert igd(true[:1], true) > 0


def test_true_front_from_the_table_equals_brute_force_over_the_spaces_enumeration(nb101_store):
    """The chain space's 363 cells, each looked up, their front computed here; and the
    front `space_front` takes from the table's columns with the space's rules."""
    space = {"kind": "cell", "settings": {"vertices": 7, "edges": 9,
                                          "ops": ["conv1x1", "conv3x3", "maxpool3x3"],
                                          "topology": "chain"}}
    evaluator = NASBench101Evaluator(data=str(nb101_store), fitness=None, objectives=CALLS,
                                     report=[])
    cells = []
    for hidden in range(1, 6):  # input → op → … → output, every choice of ops
        n = hidden + 2
        matrix = [[int(j == i + 1) for j in range(n)] for i in range(n)]
        for ops in itertools.product(OP_STRINGS, repeat=hidden):
            cells.append((matrix, ["input", *ops, "output"]))
    assert len(cells) == 363 == CellSpace(**space["settings"]).size()
    aims = Objectives(AIMS)
    points = np.asarray([aims.vector(r) for r in evaluator.evaluate_batch(cells)])
    brute = front(points) * np.asarray(signs(AIMS))
    table = space_front({"kind": "nasbench101", "settings": {"data": str(nb101_store)}},
                        list(AIMS), space)
    assert table is not None and len(table) == len(brute) >= 2
    assert np.allclose(sorted(map(tuple, table)), sorted(map(tuple, brute)))
    whole = space_front({"kind": "nasbench101", "settings": {"data": str(nb101_store)}},
                        list(AIMS))
    assert len(whole) == 37  # test accuracy against parameters over all 423,624 cells
    signed = np.asarray(whole) * np.asarray(signs(AIMS))
    assert normalised_hypervolume(signed, signed) == pytest.approx(0.9529, abs=5e-5)
