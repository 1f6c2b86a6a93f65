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
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

SPACES = [
    CellSpace(),
    CellSpace(vertices=4, edges=3),
    CellSpace(vertices=5, edges=5, ops=("conv3x3",)),
    CellSpace(vertices=6, edges=7, ops=("conv1x1", "conv5x5", "avgpool3x3")),
    CellSpace(topology="chain"),
    CellSpace(vertices=4, edges=9, ops=("maxpool3x3", "conv1x1"), topology="chain"),
    CellSpace(inputs=2),
    CellSpace(vertices=6, edges=8, ops=("conv3x3", "conv1x1"), inputs=1),
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
    assert "2 inputs, the space allows 1" in CellSpace(inputs=1).invalid_reason(skip)
    assert CellSpace(inputs=2).invalid_reason(skip) is None
    # Inputs are counted after pruning: a dangling vertex feeding the output does not count.
    dangling = Cell(((0, 1, 0, 0), (0, 0, 0, 1), (0, 0, 0, 1), (0, 0, 0, 0)),
                    ("input", "conv3x3", "conv1x1", "output"))
    assert CellSpace(inputs=1).invalid_reason(dangling) is None
    with pytest.raises(ValueError, match="inputs must be at least 1"):
        CellSpace(inputs=0)
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


@pytest.mark.parametrize("vertices,edges,ops,inputs", [
    (3, 3, ("conv3x3", "conv1x1"), None),
    (4, 4, ("conv3x3", "conv1x1"), None),
    (5, 5, ("conv3x3",), None),
    (5, 4, ("conv3x3", "maxpool3x3"), None),
    (5, 6, ("conv3x3", "conv1x1"), 2),
    (5, 7, ("conv3x3",), 1),
])
def test_small_sizes_match_brute_force_isomorphism(vertices, edges, ops, inputs, tmp_path,
                                                   monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    space = CellSpace(vertices=vertices, edges=edges, ops=ops, inputs=inputs)
    assert space.size() == _brute_force_classes(space)
    assert len(space.enumerate_hashes()) == space.size()


def test_default_sizes(tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    assert CellSpace(topology="chain").size() == 363
    assert CellSpace().size() == 423_624
    assert (tmp_path / "space_sizes.json").exists()


# --- fast paths keep the contract: construction, sample, grow, flip ---------------------------

SMALL_SPACES = [
    CellSpace(vertices=4, edges=3, ops=("conv3x3", "conv1x1")),
    CellSpace(vertices=5, edges=5, ops=("conv3x3", "maxpool3x3")),
    CellSpace(vertices=5, edges=6, ops=("conv1x1",)),
    CellSpace(vertices=5, edges=4, ops=("conv3x3", "conv1x1"), topology="chain"),
    CellSpace(vertices=5, edges=6, ops=("conv3x3", "conv1x1"), inputs=2),
    CellSpace(),
]
small_index = st.integers(0, len(SMALL_SPACES) - 1)


@st.composite
def any_cells(draw, space: CellSpace) -> Cell:
    """A cell of 2..vertices+1 vertices with random edges and ops: valid or not."""
    n = draw(st.integers(2, space.vertices + 1))
    ops = ["input"] + [draw(st.sampled_from(space.ops + ("conv5x5",))) for _ in range(n - 2)]
    matrix = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            matrix[i][j] = draw(st.sampled_from((0, 0, 1)))
    return Cell(tuple(map(tuple, matrix)), (*ops, "output"))


def _layer_children(space: CellSpace, parent: Cell) -> list[Cell]:
    """Every 'add a layer' move, built the obvious way with numpy (one per connection and op)."""
    cell = parent
    if parent.num_vertices >= space.vertices:
        if not parent.is_connected or parent.pruned().num_vertices >= space.vertices:
            return []
        cell = parent.pruned()
    m = np.array(cell.matrix, dtype=int).reshape(cell.num_vertices, cell.num_vertices)
    out = []
    for u, v in zip(*np.nonzero(m)):
        grown = np.insert(np.insert(m, v, 0, axis=0), v, 0, axis=1)
        grown[u, v + 1], grown[u, v], grown[v, v + 1] = 0, 1, 1
        for op in space.ops:
            out.append(Cell(grown, (*cell.ops[:v], op, *cell.ops[v:])))
    return out


def _link_children(parent: Cell) -> list[Cell]:
    """Every 'add a connection' move: one per unconnected pair i < j."""
    n, out = parent.num_vertices, []
    for i in range(n):
        for j in range(i + 1, n):
            if not parent.matrix[i][j]:
                m = [list(row) for row in parent.matrix]
                m[i][j] = 1
                out.append(Cell(tuple(map(tuple, m)), parent.ops))
    return out


def _feasible(space: CellSpace, parent: Cell, children: list[Cell]) -> list[Cell]:
    return [c for c in children if space.is_valid(c) and c != parent]


def _same(a: Cell, b: Cell) -> bool:
    return a.matrix == b.matrix and a.ops == b.ops


@settings(max_examples=150, deadline=None)
@given(st.data(), small_index, seeds, st.sampled_from([(0.1, 0.1), (1.0, 0.0), (0.0, 0.5),
                                                       (0.01, 0.01), (0.3, 0.9)]))
def test_grow_returns_a_feasible_child_whenever_one_exists(data, k, seed, rates):
    space = SMALL_SPACES[k]
    parent = data.draw(any_cells(space))
    add_node, add_connection = rates
    all_layers = _feasible(space, parent, _layer_children(space, parent))
    all_links = _feasible(space, parent, _link_children(parent))
    # The closed-form draw weighs each kind by its feasible share: those counts are exact.
    moves = space.grower.moves(parent)
    assert len(moves.splits) * len(space.ops) == len(all_layers)
    assert len(moves.links) == len(all_links)
    layers = all_layers if add_node > 0 else []
    links = all_links if add_node < 1 else []  # r < add_node = 1 always adds a layer
    child = space.grow(parent, np.random.default_rng(seed), add_node, add_connection)
    if not layers and not links:
        assert child is parent
        return
    assert space.invalid_reason(child) is None and child != parent
    assert any(_same(child, c) for c in layers + links)
    again = space.grow(parent, np.random.default_rng(seed), add_node, add_connection)
    assert _same(again, child)


def _rejection_grow(space: CellSpace, parent: Cell, rng: np.random.Generator,
                    add_node: float, add_connection: float) -> Cell:
    """The growth draw written as the plain rejection loop the docstring describes."""
    layers, links = _layer_children(space, parent), _link_children(parent)
    while True:
        r = rng.random()
        moves = layers if r < add_node else links if r < add_node + add_connection else []
        if moves:
            child = moves[int(rng.integers(len(moves)))]
            if space.is_valid(child) and child != parent:
                return child


def _frequencies(children: list[Cell]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for c in children:
        counts[str(c)] = counts.get(str(c), 0) + 1 / len(children)
    return counts


def test_grow_draws_as_the_rejection_loop_does():
    space = CellSpace(vertices=6, edges=7, ops=("conv3x3", "conv1x1"))
    # Input→a→b→output plus a dangling vertex: some moves change nothing, some break limits.
    parent = Cell(((0, 1, 0, 1, 0), (0, 0, 1, 0, 0), (0, 0, 0, 0, 1), (0, 0, 0, 0, 0),
                   (0, 0, 0, 0, 0)), ("input", "conv3x3", "conv1x1", "conv3x3", "output"))
    for add_node, add_connection in [(0.05, 0.3), (0.4, 0.1)]:
        rng_a, rng_b = np.random.default_rng(11), np.random.default_rng(12)
        ours = _frequencies([space.grow(parent, rng_a, add_node, add_connection)
                             for _ in range(6000)])
        loop = _frequencies([_rejection_grow(space, parent, rng_b, add_node, add_connection)
                             for _ in range(6000)])
        # Exact law: kind ∝ rate × feasible/moves, then a uniform feasible move.
        layers, links = _layer_children(space, parent), _link_children(parent)
        good = [_feasible(space, parent, layers), _feasible(space, parent, links)]
        weights = [add_node * len(good[0]) / len(layers),
                   add_connection * len(good[1]) / len(links)]
        exact: dict[str, float] = {}
        for w, kind in zip(weights, good):
            for c in kind:
                exact[str(c)] = exact.get(str(c), 0) + w / sum(weights) / len(kind)
        assert len(exact) > 5 and set(ours) == set(exact) == set(loop)
        for observed in (ours, loop):
            distance = sum(abs(observed.get(key, 0) - p) for key, p in exact.items()) / 2
            assert distance < 0.04


def test_grow_returns_a_saturated_parent_unchanged():
    space = CellSpace()
    rng = np.random.default_rng(5)
    parent = space.sample(rng)
    while parent.pruned().num_edges < 9:  # grow until no move is left
        child = space.grow(parent, rng, 0.2, 0.2)
        if child is parent:
            break
        parent = child
    assert not _feasible(space, parent, _layer_children(space, parent) + _link_children(parent))
    assert space.grow(parent, rng, 0.2, 0.2) is parent


@settings(max_examples=80, deadline=None)
@given(st.data(), small_index, seeds, st.sampled_from([0.5, 1.0, 3.0]))
def test_flip_children_are_valid_and_deterministic(data, k, seed, rate):
    space = SMALL_SPACES[k]
    parent = data.draw(any_cells(space)) if k < len(SMALL_SPACES) - 1 else \
        space.sample(np.random.default_rng(seed))
    if parent.num_vertices > space.vertices and (
            not parent.is_connected or parent.pruned().num_vertices > space.vertices):
        return  # too large to pad: flip refuses it
    child = space.flip(parent, np.random.default_rng(seed), rate)
    again = space.flip(parent, np.random.default_rng(seed), rate)
    assert _same(child, again)
    if child is not parent:
        assert space.invalid_reason(child) is None and child.num_vertices == space.vertices


def _reference_flip(space: CellSpace, parent: Cell, rng: np.random.Generator,
                    rate: float) -> Cell:
    """NAS-Bench-101's mutate_spec, one scalar draw per coin."""
    v = space.vertices
    while True:
        m = [list(row) for row in parent.matrix]
        ops = list(parent.ops)
        for i in range(v - 1):
            for j in range(i + 1, v):
                if rng.random() < rate / v:
                    m[i][j] = 1 - m[i][j]
        for i in range(1, v - 1):
            if rng.random() < rate / (v - 2):
                choices = [op for op in space.ops if op != ops[i]]
                ops[i] = choices[int(rng.integers(len(choices)))]
        child = Cell(tuple(map(tuple, m)), tuple(ops))
        if space.is_valid(child):
            return child


def _by_hash(cells: list[Cell]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for c in cells:
        counts[c.hash] = counts.get(c.hash, 0) + 1 / len(cells)
    return counts


def _changes(parent: Cell, cells: list[Cell]) -> np.ndarray:
    """Share of children whose entry (i, j) / op i differs from the parent's."""
    m = np.array(parent.matrix)
    entries = np.mean([np.array(c.matrix) != m for c in cells], axis=0)
    ops = np.mean([[a != b for a, b in zip(c.ops, parent.ops)] for c in cells], axis=0)
    return np.concatenate([entries.ravel(), ops])


def test_flip_draws_as_mutate_spec_does():
    space = CellSpace(vertices=4, edges=4, ops=("conv3x3", "conv1x1", "maxpool3x3"))
    parent = Cell(((0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0)),
                  ("input", "conv3x3", "conv1x1", "output"))
    rng_a, rng_b = np.random.default_rng(21), np.random.default_rng(22)
    ours = [space.flip(parent, rng_a, 1.0) for _ in range(8000)]
    reference = [_reference_flip(space, parent, rng_b, 1.0) for _ in range(8000)]
    a, b = _by_hash(ours), _by_hash(reference)
    assert len(b) > 30
    assert sum(abs(a.get(k, 0) - b.get(k, 0)) for k in set(a) | set(b)) / 2 < 0.06
    assert np.max(np.abs(_changes(parent, ours) - _changes(parent, reference))) < 0.03


def test_sample_draws_as_nasbench_random_search_does():
    space = CellSpace(vertices=4, edges=4, ops=("conv3x3", "conv1x1"))

    def reference(rng: np.random.Generator) -> Cell:
        while True:
            m = np.triu(rng.integers(0, 2, size=(4, 4)), 1)
            hidden = rng.integers(0, 2, size=2)
            cell = Cell(m, ("input", *(space.ops[i] for i in hidden), "output"))
            if space.is_valid(cell):
                return cell

    rng_a, rng_b = np.random.default_rng(31), np.random.default_rng(32)
    ours = _frequencies([space.sample(rng_a) for _ in range(10000)])
    theirs = _frequencies([reference(rng_b) for _ in range(10000)])
    assert len(theirs) > 100  # exact matrices and ops, unpruned
    keys = set(ours) | set(theirs)
    assert sum(abs(ours.get(k, 0) - theirs.get(k, 0)) for k in keys) / 2 < 0.1


def test_sample_handles_spaces_wider_than_one_draw():
    space = CellSpace(vertices=13, edges=30, ops=("conv3x3", "conv1x1", "maxpool3x3"))
    rng = np.random.default_rng(4)
    cells = [space.sample(rng) for _ in range(30)]
    assert all(space.is_valid(c) and c.num_vertices == 13 for c in cells)
    # 78 upper-triangle bits per draw: every entry of the triangle shows up set somewhere.
    assert all(any(c.matrix[i][j] for c in cells) for i in range(12) for j in range(i + 1, 13))
    assert [str(space.sample(np.random.default_rng(9))) for _ in range(2)] == \
        [str(space.sample(np.random.default_rng(9)))] * 2


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_sample_is_deterministic_per_seed(k, seed):
    space = SPACES[k]
    a = space.sample(np.random.default_rng(seed))
    b = space.sample(np.random.default_rng(seed))
    assert _same(a, b)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 7), seeds)
def test_cells_from_tuples_lists_and_arrays_agree(n, seed):
    rng = np.random.default_rng(seed)
    m = np.triu(rng.integers(0, 2, size=(n, n)), 1)
    ops = ("input", *(["conv3x3-bn-relu", "conv1x1"] * n)[: n - 2], "output")
    cells = [Cell(m, ops), Cell(m.astype(bool), ops), Cell(m.tolist(), list(ops)),
             Cell(tuple(map(tuple, m.tolist())), ops), Cell(list(m), ops)]
    first = cells[0]
    rows = [sum(int(x) << j for j, x in enumerate(r)) for r in m]
    cells.append(Cell._trusted(rows, first.ops))  # the internal path takes `.nas` names
    assert all(type(x) is int for row in first.matrix for x in row)
    assert first.ops[1:-1] == tuple(("conv3x3", "conv1x1") * n)[: n - 2]
    for cell in cells[1:]:
        assert cell == first and str(cell) == str(first) and cell.hash == first.hash
        assert cell.matrix == first.matrix and type(cell.matrix[0]) is tuple


@pytest.mark.parametrize("matrix,ops", [
    (((0, 1), (1, 0)), ("input", "output")),            # lower triangle
    (((1, 0), (0, 0)), ("input", "output")),            # diagonal
    (((0, 2), (0, 0)), ("input", "output")),            # not 0/1
    (((0, 1, 0), (0, 0)), ("input", "output")),         # ragged
    (((0, 1), (0, 0)), ("input", "conv3x3", "output")),  # ops do not match
    (np.zeros((2, 2, 2)), ("input", "output")),         # not a matrix
])
def test_malformed_cells_are_refused(matrix, ops):
    with pytest.raises(ValueError):
        Cell(matrix, ops)


def test_spaces_and_cells_pickle_without_their_memos():
    import pickle

    space, rng = CellSpace(), np.random.default_rng(8)
    cell = space.sample(rng)
    child = space.grow(cell, rng, 0.5, 0.5)
    assert len(space.grower)
    copy = pickle.loads(pickle.dumps(space))
    assert len(copy.grower) == 0 and repr(copy) == repr(space)
    assert _same(copy.grow(cell, np.random.default_rng(1), 0.5, 0.5),
                 space.grow(cell, np.random.default_rng(1), 0.5, 0.5))
    back = pickle.loads(pickle.dumps(child))
    assert back == child and str(back) == str(child)
