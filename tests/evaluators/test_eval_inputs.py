"""`evaluate((matrix, ops))` with a matrix that is not a square 0/1 grid gives an `invalid`
result saying why — never the score of a cell it resembles, never a traceback."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nasdsl.evaluators import NASBench101Evaluator
from nb101_tables import make_store


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    store, specs = make_store(tmp_path_factory.mktemp("inputs"), count=20)
    ev = NASBench101Evaluator(store, fitness="validation_accuracy", report=["test_accuracy"])
    _, matrix, ops = next(s for s in specs if len(s[2]) >= 4)
    return ev, matrix, ops


def _missing_edge(matrix: list[list[int]]) -> tuple[int, int]:
    n = len(matrix)
    return next((i, j) for i in range(n) for j in range(i + 1, n) if not matrix[i][j])


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 0.5, 2])
def test_an_edge_that_is_not_0_or_1_is_invalid_even_after_the_clean_cell(table, value):
    ev, matrix, ops = table
    assert ev.evaluate((matrix, ops)).status == "ok"
    bad = [row[:] for row in matrix]
    i, j = _missing_edge(matrix)
    bad[i][j] = value
    for given in (bad, np.array(bad, dtype=float)):
        r = ev.evaluate((given, ops))
        assert r.status == "invalid" and "0 or 1" in r.error and r.fitness is None


@pytest.mark.parametrize("matrix, words", [
    (np.zeros((2, 3, 3)), "square"),
    ([[0, 1, 1], [0, 0], [0, 0, 0]], "lengths"),
    ([[[0, 1], [0, 0]], [[0, 1], [0, 0]]], "square"),
    (None, "square"),
    ("0110", "0 or 1"),
])
def test_a_matrix_that_is_not_a_square_grid_is_invalid(table, matrix, words):
    ev, _, ops = table
    r = ev.evaluate((matrix, ["input", ops[1], "output"]))
    assert r.status == "invalid" and words in r.error


@pytest.mark.parametrize("ops, words", [(None, "list of operation names"),
                                        ([1, 2, 3], "operation names"),
                                        (["input", "maxpool3x3", "maxpool3x3", "output"],
                                         "3-vertex matrix with 4 ops")])
def test_ops_that_are_not_op_names_are_invalid(table, ops, words):
    ev, _, _ = table
    r = ev.evaluate(([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ops))
    assert r.status == "invalid" and words in r.error


def test_a_batch_mixing_good_and_bad_matrices_answers_each(table):
    ev, matrix, ops = table
    bad = [row[:] for row in matrix]
    bad[0][-1] = math.nan
    results = ev.evaluate_batch([(matrix, ops), (bad, ops), (np.zeros((2, 2, 2)), ops)])
    assert [r.status for r in results] == ["ok", "invalid", "invalid"]
