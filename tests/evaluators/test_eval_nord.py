"""NORD's BenchmarkEvaluator protocol on NASBench101Evaluator: code written for NORD runs
unchanged."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from nasdsl.evaluators import NASBench101Evaluator
from nb101_tables import make_store, value

OPS = ["conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3"]


def nord_descriptor(layers: list[str], edges: list[tuple[int, int]]):
    """A descriptor shaped as NORD builds them: '<i>_Layer' names, [op, None] layers."""
    names = [f"{i}_Layer" for i in range(len(layers))]
    return SimpleNamespace(layers={n: [op, None] for n, op in zip(names, layers)},
                           connections={n: [names[j] for i, j in edges if names[i] == n]
                                        for n in names},
                           first_layer=names[0], last_layer=names[-1])


@pytest.fixture(scope="module")
def evaluator(tmp_path_factory):
    store, _ = make_store(tmp_path_factory.mktemp("nord"), count=5)
    return NASBench101Evaluator(store, seed=1)


def test_available_ops_in_nords_order(evaluator):
    assert evaluator.get_available_ops() == OPS


def test_descriptor_to_matrix_orders_layers_topologically(evaluator):
    ops = evaluator.get_available_ops()
    # layers added out of order: the matrix must still be upper triangular
    d = SimpleNamespace(layers={"out": ["output", None], "b": [ops[0], None],
                                "in": ["input", None], "a": [ops[1], None]},
                        connections={"in": ["a", "out"], "a": ["b"], "b": ["out"]})
    matrix, layer_ops = evaluator.descriptor_to_matrix(d)
    assert matrix == [[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    assert layer_ops == ["input", ops[1], ops[0], "output"]


def test_descriptor_evaluate_returns_one_run_and_keeps_it(tmp_path):
    store, specs = make_store(tmp_path, count=4)
    ev = NASBench101Evaluator(store, seed=3)
    h, matrix, ops = specs[2]
    edges = [(i, j) for i in range(len(ops)) for j in range(len(ops)) if matrix[i][j]]
    d = nord_descriptor(ops, edges)
    acc, seconds = ev.descriptor_evaluate(d)
    repeat = next(k for k in range(3) if acc == value(2, "validation_accuracy", 108, k))
    assert seconds == value(2, "training_time", 108, repeat)
    assert ev.has_been_evaluated(d)
    assert [ev.descriptor_evaluate(d) for _ in range(5)] == [(acc, seconds)] * 5
    test_acc, _ = ev.descriptor_evaluate(d, acc="test_accuracy")
    assert test_acc == value(2, "test_accuracy", 108, repeat)
    assert ev.total_training_time == pytest.approx(7 * seconds)


def test_an_invalid_descriptor_scores_zero_with_a_warning(evaluator):
    d = nord_descriptor(["input", OPS[0], "output"], [(0, 1)])  # output unreachable
    with pytest.warns(UserWarning, match="disconnected"):
        assert evaluator.descriptor_evaluate(d) == (0.0, 0.0)
    cyclic = nord_descriptor(["input", OPS[0], OPS[1], "output"],
                             [(0, 1), (1, 2), (2, 1), (2, 3)])
    with pytest.warns(UserWarning, match="cycle"):
        assert evaluator.descriptor_evaluate(cyclic) == (0.0, 0.0)
