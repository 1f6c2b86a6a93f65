"""`grow(…, redraw = false)`: the study's loop, each rate one independent draw, copies and
oversized children kept (and evaluated)."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.dsl import loads
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import RegularizedEvolution
from nasdsl.plan import Call
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

SPACE = CellSpace()
# input -> conv3x3 -> output and input -> output: 3 vertices, 3 edges.
SMALL = Cell([[0, 1, 1], [0, 0, 1], [0, 0, 0]], ["input", "conv3x3", "output"])
# input -> conv3x3 -> conv1x1 -> output: free pairs (0, 2), (0, 3), (1, 3).
CHAIN = Cell([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
             ["input", "conv3x3", "conv1x1", "output"])


def _outcomes(parent: Cell, add_node: float, add_connection: float, n: int = 4000):
    """Per child: (a layer was added, a connection was added), from vertex and edge counts."""
    rng = np.random.default_rng(7)
    base = parent.pruned()
    out = []
    for _ in range(n):
        child = SPACE.grow(parent, rng, add_node, add_connection, redraw=False)
        if child is parent:
            out.append((False, False))
            continue
        node = child.num_vertices == base.num_vertices + 1
        link = child.num_edges - base.num_edges == (2 if node else 1)
        out.append((node, link))
    return np.array(out)


def test_each_rate_is_an_independent_draw():
    # The node coin fires at its own rate whatever the connection rate (one shared draw, as
    # NORD's genome does it, would give a layer less often when connections are likely).
    for add_connection in (0.0, 1.0):
        node = _outcomes(CHAIN, 0.3, add_connection)[:, 0]
        assert abs(node.mean() - 0.3) < 0.03
    # A connection: two vertices drawn uniformly; of the 16 ordered pairs of the chain's 4
    # vertices, 6 are an unconnected pair (3 free pairs, both orders).
    link = _outcomes(CHAIN, 0.0, 0.5)[:, 1]
    assert abs(link.mean() - 0.5 * 6 / 16) < 0.03
    # Both in one child (the redrawing grow never does that).
    both = _outcomes(CHAIN, 1.0, 1.0)
    assert both[:, 0].all() and 0.1 < both[:, 1].mean() < 0.9


def test_the_absolute_rate_matters_not_just_the_ratio():
    low = _outcomes(CHAIN, 0.01, 0.01)
    high = _outcomes(CHAIN, 0.2, 0.2)
    copies_low = (~low.any(axis=1)).mean()
    copies_high = (~high.any(axis=1)).mean()
    assert copies_low > 0.95 and copies_high < 0.75
    # The redrawing grow never returns a copy while a move exists.
    rng = np.random.default_rng(3)
    assert all(SPACE.grow(SMALL, rng, 0.01, 0.01) != SMALL for _ in range(200))


def test_a_child_with_no_mutation_is_its_parent():
    rng = np.random.default_rng(0)
    assert SPACE.grow(CHAIN, rng, 0.0, 0.0, redraw=False) is CHAIN
    # SMALL has every pair connected: a connection drawn changes nothing.
    assert all(SPACE.grow(SMALL, rng, 0.0, 1.0, redraw=False) is SMALL for _ in range(50))
    copies = [SPACE.grow(CHAIN, rng, 0.0, 1.0, redraw=False) for _ in range(300)]
    # A vertex drawn twice, or a pair already connected, changes nothing: the parent itself.
    same = [c for c in copies if c is CHAIN]
    assert 100 < len(same) < 300
    assert all(c != CHAIN and c.num_edges == 4 for c in copies if c is not CHAIN)


def test_a_full_cell_grows_out_of_the_space():
    full = Cell([[0, 1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 1], [0, 0, 0, 1, 1, 0, 0],
                 [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1],
                 [0, 0, 0, 0, 0, 0, 0]],
                ["input", "conv1x1", "conv3x3", "maxpool3x3", "conv3x3", "conv1x1", "output"])
    assert SPACE.is_valid(full) and full.pruned().num_edges == 9
    rng = np.random.default_rng(1)
    child = SPACE.grow(full, rng, 1.0, 0.0, redraw=False)
    assert child.num_vertices == 8
    assert not SPACE.is_valid(child)
    assert "8 vertices" in SPACE.invalid_reason(child)
    # The redrawing grow never leaves the space.
    assert SPACE.grow(full, rng, 1.0, 0.0) is full


def test_oversized_children_are_invalid_and_still_cost_an_evaluation(nb101_store):
    evaluator = NASBench101Evaluator(data=nb101_store, fitness="test_accuracy", report=())
    search = RegularizedEvolution(SPACE, 20, 5,
                                  Call("grow", {"add_node": 0.5, "add_connection": 0.5,
                                                "redraw": False}))
    history = search.optimize(evaluator, budget=400, seed=2)
    assert len(history) == 400
    children = list(history)[20:]
    invalid = [e for e in children if e.result.status == "invalid"]
    assert invalid, "no child outgrew the space at these rates"
    assert all(not SPACE.is_valid(e.arch) for e in invalid)
    # Copies of the parent are evaluated again: repeated architectures among children.
    keys = [SPACE.key(e.arch) for e in children]
    assert len(set(keys)) < len(keys)


def test_redraw_is_written_in_the_language_and_left_out_when_not_written():
    text = """experiment t
budget = 10 evaluations
space cell {}
evaluate nasbench101 { fitness = test_accuracy }
search regularized_evolution { population = 5; sample = 2
    mutation in [grow(add_node = 0.1, add_connection = 0.2, redraw = false),
                 grow(add_node = 0.1, add_connection = 0.2)] }
search regularized_evolution as swept {
    mutation = grow(add_node = 0.1, add_connection = 0.2, redraw in [true, false]) }
"""
    configs = loads(text).configs
    study, default, swept_true, swept_false = (c.settings["mutation"] for c in configs)
    assert study.args["redraw"] is False
    assert "redraw" not in default.args  # the keys of files written before `redraw` stay
    assert default == Call("grow", {"add_node": 0.1, "add_connection": 0.2})
    assert swept_true.args["redraw"] is True and swept_false.args["redraw"] is False
    assert [c.key for c in configs[2:]] == ["swept[mutation.redraw=true]",
                                            "swept[mutation.redraw=false]"]


@pytest.mark.parametrize("bad", ["redraw = 1", "redraw = maybe"])
def test_redraw_must_be_a_boolean(bad):
    from nasdsl.errors import DslError

    text = ("experiment t\nbudget = 10 evaluations\nspace cell {}\n"
            "evaluate nasbench101 { fitness = test_accuracy }\n"
            f"search regularized_evolution {{ mutation = grow({bad}) }}\n")
    with pytest.raises(DslError, match="redraw"):
        loads(text)
