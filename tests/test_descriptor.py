"""NeuralDescriptor keeps NORD's API and converts losslessly to NB101 specs and text."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasdsl import hashing
from nasdsl.descriptor import NeuralDescriptor, import_class


class NordLike:
    """A stand-in with only the attributes NORD's descriptor has (duck typing, not a mock)."""

    def __init__(self, layers, connections, first_layer, last_layer):
        self.layers, self.connections = layers, connections
        self.first_layer, self.last_layer = first_layer, last_layer


def test_nord_auto_names_and_sequential_connections():
    d = NeuralDescriptor()
    d.add_layer("input", None)
    d.add_layer_sequential("conv1x1-bn-relu", None)
    d.add_layer_sequential("output", None)
    assert list(d.layers) == ["0_Layer", "1_Layer", "2_Layer"]
    assert d.connections == {"0_Layer": ["1_Layer"], "1_Layer": ["2_Layer"], "2_Layer": []}
    assert d.incoming_connections["2_Layer"] == ["1_Layer"]
    assert (d.first_layer, d.last_layer, d.current_layer) == ("0_Layer", "2_Layer", 3)
    assert d.layers["1_Layer"] == ["conv1x1-bn-relu", None]


def test_disconnect_and_suffix():
    d = NeuralDescriptor()
    d.add_layer("input", None, "in")
    d.add_layer_sequential("output", None, "out")
    d.connect_layers("in", "out")
    d.disconnect_layers("in", "out")
    assert d.connections["in"] == [] and d.incoming_connections["out"] == []
    d.connect_layers("in", "out")
    d.add_suffix("_a")
    assert set(d.layers) == {"in_a", "out_a"}
    assert d.connections["in_a"] == ["out_a"] and d.incoming_connections["out_a"] == ["in_a"]
    assert (d.first_layer, d.last_layer) == ("in_a", "out_a")
    graph = d.to_networkx()
    assert list(graph.edges) == [("in_a", "out_a")]
    assert graph.nodes["in_a"]["layer"] == "input"


def test_nord_example_descriptor_gives_the_expected_spec():
    # The network of NORD's nasbench_evaluator_example.py.
    d = NeuralDescriptor()
    d.add_layer("input", None, "in")
    d.add_layer_sequential("conv1x1-bn-relu", None, "layer_1")
    d.add_layer_sequential("maxpool3x3", None, "layer_2")
    d.add_layer_sequential("output", None, "out")
    d.connect_layers("layer_1", "out")
    matrix, ops = d.to_nasbench()
    assert ops == ["input", "conv1x1-bn-relu", "maxpool3x3", "output"]
    assert matrix.tolist() == [[0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]]


@st.composite
def cells(draw):
    n = draw(st.integers(2, 7))
    bits = draw(st.lists(st.integers(0, 1), min_size=n * n, max_size=n * n))
    matrix = np.triu(np.array(bits, dtype=np.int8).reshape(n, n), 1)
    ops = ["input"] + draw(st.lists(st.sampled_from(
        ["conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3"]), min_size=n - 2,
        max_size=n - 2)) + ["output"]
    return matrix, ops


@settings(max_examples=80, deadline=None)
@given(cells())
def test_nasbench_descriptor_text_and_nord_round_trips(cell):
    matrix, ops = cell
    d = NeuralDescriptor.from_nasbench(matrix, ops)
    back_matrix, back_ops = d.to_nasbench()
    assert np.array_equal(back_matrix, matrix) and back_ops == ops
    text = d.to_text()
    again = NeuralDescriptor.from_text(text)
    assert again == d and again.to_text() == text
    nord_like = NordLike(d.layers, d.connections, d.first_layer, d.last_layer)
    copied = NeuralDescriptor.from_nord(nord_like)
    assert copied == d
    if hashing.prune(matrix, ops) is not None:
        assert hashing.spec_hash(*copied.to_nasbench()) == hashing.spec_hash(matrix, ops)


def test_text_keeps_parameter_types():
    d = NeuralDescriptor()
    d.add_layer_sequential("conv3x3", {"filters": 64, "kernel": (3, 3), "pad": [1, 1]})
    d.add_layer_sequential("maxpool2x2", {})
    d.add_layer_sequential(np.ndarray, {"flag": True, "rate": 0.5, "none": None})
    back = NeuralDescriptor.from_text(d.to_text(), resolver=import_class)
    assert back == d
    assert back.layers["0_Layer"][1]["kernel"] == (3, 3)
    assert back.layers["2_Layer"][0] is np.ndarray


def test_equality_is_structural_not_insertion_order():
    a = NeuralDescriptor()
    a.add_layer("input", None, "x")
    a.add_layer("output", None, "y")
    a.connect_layers("x", "y")
    b = NeuralDescriptor()
    b.add_layer("input", None, "x")
    b.add_layer("output", None, "y")
    assert a != b
    b.connect_layers("x", "y")
    assert a == b and a.to_text() == b.to_text()


def test_bad_text_is_refused():
    with pytest.raises(ValueError, match="not a descriptor text"):
        NeuralDescriptor.from_text("{not json")


def test_to_nord_without_nord_says_so():
    try:
        import nord.neural_nets  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs NORD"):
            NeuralDescriptor().to_nord()
    else:
        d = NeuralDescriptor.from_nasbench([[0, 1], [0, 0]], ["input", "output"])
        assert NeuralDescriptor.from_nord(d.to_nord()) == d


def test_cycle_is_refused_for_nasbench():
    d = NeuralDescriptor()
    d.add_layer("input", None)
    d.add_layer_sequential("conv3x3-bn-relu", None)
    d.add_layer_sequential("maxpool3x3", None)
    d.add_layer_sequential("output", None)
    d.connect_layers("2_Layer", "1_Layer")
    with pytest.raises(ValueError, match="cycle"):
        d.to_nasbench()
