"""The Python API validates its inputs: a NAS-Bench-101 matrix holds only 0/1 edges, layer
names are unique, and `from_nord` says what it expected — instead of a cell that scores like
another, a silently overwritten layer or an AttributeError."""
from __future__ import annotations

import math

import numpy as np
import pytest

from nasdsl import NeuralDescriptor

OPS = ["input", "conv3x3-bn-relu", "maxpool3x3", "output"]
CLEAN = [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]]


def _with(value) -> list[list]:
    m = [row[:] for row in CLEAN]
    m[0][2] = value
    return m


@pytest.mark.parametrize("value", [math.nan, math.inf, -1, 0.5, 2])
@pytest.mark.parametrize("as_array", [False, True])
def test_from_nasbench_refuses_edges_that_are_not_0_or_1(value, as_array):
    matrix = np.array(_with(value), dtype=float) if as_array else _with(value)
    with pytest.raises(ValueError, match="entries must be 0 or 1"):
        NeuralDescriptor.from_nasbench(matrix, OPS)


@pytest.mark.parametrize("matrix", [CLEAN, np.array(CLEAN, dtype=bool),
                                    np.array(CLEAN, dtype=float), np.array(CLEAN, np.int8)])
def test_from_nasbench_accepts_0_1_in_any_numeric_type(matrix):
    d = NeuralDescriptor.from_nasbench(matrix, OPS)
    assert d.to_nasbench()[0].tolist() == CLEAN


@pytest.mark.parametrize("matrix, words", [
    (np.zeros((2, 4, 4)), "square"),
    ([[0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], "rows of lengths"),
    ([[0, 1], [0, 0]], "needs 2 op names"),
    ([[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], "upper triangular"),
])
def test_from_nasbench_refuses_malformed_matrices(matrix, words):
    with pytest.raises(ValueError, match=words):
        NeuralDescriptor.from_nasbench(matrix, OPS)


def test_a_duplicate_layer_name_is_an_error_not_an_overwrite():
    d = NeuralDescriptor()
    d.add_layer("input", None, "a")
    d.add_layer_sequential("conv3x3-bn-relu", None, "b")
    with pytest.raises(ValueError, match="a layer named 'b' already exists"):
        d.add_layer("maxpool3x3", None, "b")
    assert d.layers["b"] == ["conv3x3-bn-relu", None] and d.connections["a"] == ["b"]


def test_an_automatic_name_taken_by_a_named_layer_is_an_error():
    d = NeuralDescriptor()
    d.add_layer("input", None, "1_Layer")
    with pytest.raises(ValueError, match="'1_Layer' already exists"):
        d.add_layer("output", None)  # would be '1_Layer'


@pytest.mark.parametrize("obj", [None, 42, "text", {"layers": {}, "connections": {}}])
def test_from_nord_of_something_else_says_what_it_expected(obj):
    with pytest.raises(TypeError, match="from_nord expects a NORD NeuralDescriptor .*got "):
        NeuralDescriptor.from_nord(obj)


class _Nordish:
    def __init__(self, layers, connections):
        self.layers, self.connections = layers, connections


@pytest.mark.parametrize("layers, connections, words", [
    ({"a": "input"}, {"a": []}, "NORD layers are \\[layer class, parameters\\]"),
    ({"a": ["input", None]}, {"a": ["z"]}, "'a' -> 'z' names a layer"),
])
def test_from_nord_refuses_a_malformed_descriptor(layers, connections, words):
    with pytest.raises(ValueError, match=words):
        NeuralDescriptor.from_nord(_Nordish(layers, connections))
