"""Repair of decoded cell vectors: always a valid cell, as near as the stated rule makes it."""
from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

SPACE = CellSpace()
LOWER, UPPER = SPACE.bounds
vectors = st.lists(st.integers(0, 2), min_size=5, max_size=5).flatmap(
    lambda ops: st.lists(st.integers(0, 1), min_size=21, max_size=21).map(
        lambda edges: np.array(ops + edges, dtype=float)))


def _edges(cell: Cell) -> set[tuple[int, int]]:
    n = cell.num_vertices
    return {(i, j) for i in range(n) for j in range(i + 1, n) if cell.matrix[i][j]}


@given(vectors)
def test_every_decoded_vector_repairs_to_a_valid_cell_with_its_ops(x):
    cell = SPACE.decode(x)
    fixed = SPACE.repair(cell)
    assert fixed is not None and SPACE.is_valid(fixed)
    assert fixed.ops == cell.ops
    if SPACE.is_valid(cell):
        assert fixed is cell
        return
    added = _edges(fixed) - _edges(cell)
    if cell.is_connected:  # too many edges: only removals
        assert not added
        assert len(_edges(fixed)) < len(_edges(cell))
    else:  # disconnected: exactly one edge added, from the input's side to the output's
        assert len(added) == 1


@given(st.integers(2, 7), st.integers(1, 9), st.integers(0, 2 ** 40))
def test_every_dag_space_repairs_every_vector(vertices, edges, seed):
    space = CellSpace(vertices=vertices, edges=edges)
    lower, upper = space.bounds
    x = np.random.default_rng(seed).integers(lower, upper + 1)
    fixed = space.repair(space.decode(x))
    assert fixed is not None and space.is_valid(fixed)


def test_a_cell_over_the_edge_limit_keeps_as_many_edges_as_the_space_allows():
    full = Cell(tuple(tuple(int(j > i) for j in range(7)) for i in range(7)),
                ("input", "conv3x3", "conv1x1", "maxpool3x3", "conv3x3", "conv1x1", "output"))
    assert SPACE.invalid_reason(full) == "21 edges after pruning, the space allows 9"
    fixed = SPACE.repair(full)
    pruned = fixed.pruned()
    assert SPACE.is_valid(fixed) and pruned.num_edges == 9 and pruned.num_vertices == 7


def test_a_disconnected_cell_gets_the_edge_that_keeps_the_most_vertices():
    # input -> 1 -> 2 and 3 -> output: nothing reaches the output.
    matrix = [[0] * 5 for _ in range(5)]
    matrix[0][1] = matrix[1][2] = matrix[3][4] = 1
    cell = Cell(matrix, ("input", "conv3x3", "conv1x1", "maxpool3x3", "output"))
    space = CellSpace(vertices=5, edges=9)
    fixed = space.repair(cell)
    assert _edges(fixed) - _edges(cell) == {(2, 3)}  # 0 -> 1 -> 2 -> 3 -> 4: all five vertices
    assert fixed.pruned().num_vertices == 5


def test_repair_is_a_function_of_the_cell():
    rng = np.random.default_rng(5)
    for _ in range(200):
        x = rng.integers(LOWER, UPPER + 1).astype(float)
        a, b = SPACE.repair(SPACE.decode(x)), SPACE.repair(SPACE.decode(x.copy()))
        assert str(a) == str(b)


def test_chain_spaces_have_no_repair():
    chain = CellSpace(topology="chain")
    cell = chain.decode(np.ones(len(chain.bounds[0])))
    assert not chain.is_valid(cell) and chain.repair(cell) is None
