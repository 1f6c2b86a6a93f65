"""The cell space: valid samples and mutations, lossless encodings, NB101 identity."""
from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasdsl.descriptor import NeuralDescriptor
from nasdsl.plan import Call, SpaceSpec
from nasdsl.spaces import make_space
from nasdsl.spaces.cell import Cell, CellSpace

SPACES = [
    CellSpace(),
    CellSpace(vertices=4, edges=3),
    CellSpace(vertices=5, edges=5, ops=("conv3x3",)),
    CellSpace(vertices=6, edges=7, ops=("conv1x1", "conv5x5", "avgpool3x3")),
    CellSpace(topology="chain"),
    CellSpace(vertices=4, edges=9, ops=("maxpool3x3", "conv1x1"), topology="chain"),
]
space_index = st.integers(0, len(SPACES) - 1)
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_sampled_and_mutated_cells_are_valid(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    cell = space.sample(rng)
    assert space.invalid_reason(cell) is None
    for mutation in (Call("flip", {"rate": 1.0}), Call("grow", {"add_node": 0.3,
                                                                 "add_connection": 0.3})):
        child = space.mutate(cell, rng, mutation)
        assert space.invalid_reason(child) is None, str(child)
        cell = child


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_encode_decode_and_text_round_trip(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    cell = space.sample(rng)
    x = space.encode(cell)
    lower, upper = space.bounds
    assert x.shape == lower.shape and np.all(lower <= x) and np.all(x <= upper)
    assert space.decode(x) == cell
    assert space.key(space.decode(x)) == space.key(cell)
    back = space.parse(space.canonical(cell))
    assert back == cell and back.matrix == cell.matrix and back.ops == cell.ops


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_any_in_bounds_vector_decodes_to_a_cell(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    lower, upper = space.bounds
    x = rng.integers(lower.astype(int), upper.astype(int) + 1)
    cell = space.decode(x.astype(float))
    assert isinstance(cell, Cell) and cell.num_vertices == space.vertices
    assert space.is_valid(cell) == (space.invalid_reason(cell) is None)


@settings(max_examples=60, deadline=None)
@given(seeds)
def test_isomorphic_relabelling_has_the_same_key(seed):
    space, rng = CellSpace(), np.random.default_rng(seed)
    cell = space.sample(rng).pruned()
    n = cell.num_vertices
    graph = nx.DiGraph(np.array(cell.matrix))
    # A random topological order of the hidden vertices gives an isomorphic cell.
    order = list(nx.lexicographical_topological_sort(graph, key=lambda _: rng.random()))
    moved = Cell(tuple(tuple(cell.matrix[i][j] for j in order) for i in order),
                 tuple(cell.ops[i] for i in order))
    assert order[0] == 0 and order[-1] == n - 1
    assert moved == cell and hash(moved) == hash(cell)
    assert space.key(moved) == space.key(cell)


@settings(max_examples=40, deadline=None)
@given(space_index, seeds)
def test_descriptor_round_trips(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    cell = space.sample(rng)
    d = space.to_descriptor(cell)
    assert space.from_descriptor(d) == cell
    assert space.from_descriptor(NeuralDescriptor.from_text(d.to_text())) == cell

    class NordLike:
        layers, connections = d.layers, d.connections
        first_layer, last_layer = d.first_layer, d.last_layer

    assert space.from_descriptor(NordLike()) == cell


def test_cells_compare_by_nasbench_hash():
    a = Cell(((0, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
             ("input", "conv3x3", "conv1x1", "output"))
    b = Cell(((0, 1, 1, 0), (0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
             ("input", "conv1x1", "conv3x3", "output"))
    dangling = Cell(((0, 1, 1, 0, 0), (0, 0, 0, 0, 1), (0, 0, 0, 0, 1), (0, 0, 0, 0, 0),
                     (0, 0, 0, 0, 0)), ("input", "conv3x3", "conv1x1", "maxpool3x3", "output"))
    assert a == b and len({a, b, dangling}) == 1
    assert dangling.num_vertices == 5 and dangling.pruned().num_vertices == 4
    assert a.hash == Cell.from_nasbench(*a.to_nasbench()).hash


def test_invalid_reasons_name_the_limit():
    space = CellSpace(vertices=4, edges=3)
    disconnected = Cell(((0, 1, 0), (0, 0, 0), (0, 0, 0)), ("input", "conv3x3", "output"))
    assert "not reachable" in space.invalid_reason(disconnected)
    too_many = Cell(((0, 1, 1, 1), (0, 0, 1, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
                    ("input", "conv3x3", "conv3x3", "output"))
    assert "edges" in space.invalid_reason(too_many)
    wrong_op = Cell(((0, 1, 0), (0, 0, 1), (0, 0, 0)), ("input", "conv5x5", "output"))
    assert "not in the space" in space.invalid_reason(wrong_op)
    skip = Cell(((0, 1, 1), (0, 0, 1), (0, 0, 0)), ("input", "conv3x3", "output"))
    assert "chains" in CellSpace(topology="chain").invalid_reason(skip)
    assert space.key(disconnected).startswith("invalid:")


def test_grow_adds_a_layer_on_a_connection():
    space, rng = CellSpace(), np.random.default_rng(0)
    chain = Cell(((0, 1, 0), (0, 0, 1), (0, 0, 0)), ("input", "conv3x3", "output"))
    child = space.grow(chain, rng, add_node=1.0, add_connection=0.0)
    assert child.pruned().num_vertices == 4 and child.pruned().num_edges == 3
    connected = space.grow(chain, rng, add_node=0.0, add_connection=1.0)
    assert connected.matrix[0][2] == 1 and connected.num_vertices == 3
    assert space.grow(chain, rng, add_node=0.0, add_connection=0.0) is chain


def test_flip_follows_nasbench_rates():
    space, rng = CellSpace(), np.random.default_rng(3)
    parent = space.sample(rng)
    changed_edges = []
    for _ in range(300):
        child = space.flip(parent, rng, rate=1.0)
        changed_edges.append(sum(a != b for ra, rb in zip(parent.matrix, child.matrix)
                                 for a, b in zip(ra, rb)))
    # Each of 21 edges flips with probability 1/7 (children are kept only when valid).
    assert 1.5 < np.mean(changed_edges) < 4.5


def test_chain_sampling_is_uniform_over_chains():
    space = CellSpace(vertices=4, edges=9, ops=("conv1x1", "conv3x3"), topology="chain")
    rng = np.random.default_rng(0)
    counts: dict[str, int] = {}
    for _ in range(3000):
        key = space.key(space.sample(rng))
        counts[key] = counts.get(key, 0) + 1
    assert len(counts) == space.size() == 2 + 4
    assert min(counts.values()) > 350 and max(counts.values()) < 650


def test_make_space_builds_a_cell_space():
    space = make_space(SpaceSpec("cell", {"vertices": 5, "edges": 6,
                                          "ops": ["conv3x3", "maxpool3x3"],
                                          "topology": "dag"}))
    assert isinstance(space, CellSpace) and space.nix == 3 + 10
    with pytest.raises(ValueError, match="unknown cell ops"):
        CellSpace(ops=("conv9x9",))


# --- sizes ------------------------------------------------------------------------------------

def _brute_force_classes(space: CellSpace) -> int:
    """Count isomorphism classes of valid cells with networkx, the slow obvious way."""
    classes: list[nx.DiGraph] = []
    for n in range(2, space.vertices + 1):
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        for bits in itertools.product((0, 1), repeat=len(pairs)):
            for hidden in itertools.product(space.ops, repeat=n - 2):
                matrix = [[0] * n for _ in range(n)]
                for (i, j), b in zip(pairs, bits):
                    matrix[i][j] = b
                cell = Cell(tuple(map(tuple, matrix)), ("input", *hidden, "output"))
                if not space.is_valid(cell) or cell.pruned().num_vertices != n:
                    continue
                g = nx.DiGraph()
                g.add_nodes_from((v, {"op": op}) for v, op in enumerate(cell.ops))
                g.add_edges_from((i, j) for i, j in pairs if matrix[i][j])
                match = nx.algorithms.isomorphism.categorical_node_match("op", None)
                if not any(nx.is_isomorphic(g, h, node_match=match) for h in classes):
                    classes.append(g)
    return len(classes)


@pytest.mark.parametrize("vertices,edges,ops", [
    (3, 3, ("conv3x3", "conv1x1")),
    (4, 4, ("conv3x3", "conv1x1")),
    (5, 5, ("conv3x3",)),
    (5, 4, ("conv3x3", "maxpool3x3")),
])
def test_small_sizes_match_brute_force_isomorphism(vertices, edges, ops, tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    space = CellSpace(vertices=vertices, edges=edges, ops=ops)
    assert space.size() == _brute_force_classes(space)
    assert len(space.enumerate_hashes()) == space.size()


def test_default_sizes(tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    assert CellSpace(topology="chain").size() == 363
    assert CellSpace().size() == 423_624
    assert (tmp_path / "space_sizes.json").exists()
