"""Neighbourhoods of cells: one edit away, distinct, valid in the declared space."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.global_space import GlobalSpace
from nasdsl.spaces.neighbourhood import neighbours

BEST = Cell(((0, 1, 1, 0, 1, 0, 1), (0, 0, 0, 0, 0, 1, 0), (0, 0, 0, 1, 0, 0, 0),
             (0, 0, 0, 0, 1, 0, 0), (0, 0, 0, 0, 0, 1, 0), (0, 0, 0, 0, 0, 0, 1),
             (0, 0, 0, 0, 0, 0, 0)),
            ("input", "conv3x3", "conv3x3", "conv3x3", "conv3x3", "conv1x1", "output"))
"""The shared table's best cell: 7 vertices and 9 edges, so only ops change and edges go."""


def _size(cell: Cell) -> tuple[int, int]:
    p = cell.pruned()
    return p.num_vertices, p.num_edges


def test_a_full_cell_only_changes_ops_or_loses_edges():
    space = CellSpace()
    around = neighbours(space, BEST)
    keys = [space.key(c) for c in around]
    assert len(keys) == len(set(keys)) and space.key(BEST) not in keys
    assert all(space.is_valid(c) for c in around)
    ops_changed = [c for c in around if _size(c) == (7, 9)]
    assert len(ops_changed) == 5 * 2  # every hidden op to each of the two others
    assert all(_size(c)[1] < 9 for c in around if c not in ops_changed)


def test_a_small_cell_grows_by_a_layer_or_an_edge():
    space = CellSpace()
    small = Cell(((0, 1, 0), (0, 0, 1), (0, 0, 0)), ("input", "conv3x3", "output"))
    around = neighbours(space, small)
    sizes = {_size(c) for c in around}
    assert (4, 4) in sizes  # a layer inserted beside the existing path
    assert (3, 3) in sizes  # input -> output added
    assert (3, 2) in sizes  # the op changed
    assert all(space.is_valid(c) for c in around)


def test_op_changes_and_flips_that_keep_the_vertices_are_undone_by_one_move():
    """(Removing an edge may prune several vertices, which one insertion cannot restore.)"""
    space = CellSpace()
    rng = np.random.default_rng(5)
    for _ in range(20):
        cell = space.sample(rng)
        same = [c for c in neighbours(space, cell) if _size(c)[0] == _size(cell)[0]]
        for other in same[:6]:
            assert space.key(cell) in {space.key(c) for c in neighbours(space, other)}


def test_a_chain_space_keeps_chains():
    space = CellSpace(topology="chain")
    rng = np.random.default_rng(0)
    for _ in range(20):
        chain = space.sample(rng)
        around = neighbours(space, chain)
        assert around and all(space.is_valid(c) for c in around)
        assert all(_size(c) == _size(chain) for c in around)  # any edge flip breaks a chain


def test_a_constrained_space_filters_with_its_own_validity():
    space = CellSpace(vertices=5, edges=5, ops=["conv3x3", "maxpool3x3"])
    rng = np.random.default_rng(1)
    for _ in range(20):
        for c in neighbours(space, space.sample(rng)):
            assert space.is_valid(c)
            vertices, edges = _size(c)
            assert vertices <= 5 and edges <= 5 and "conv1x1" not in c.pruned().ops


def test_an_invalid_cell_has_no_neighbours():
    space = CellSpace()
    cut = Cell(((0, 0, 0), (0, 0, 1), (0, 0, 0)), ("input", "conv3x3", "output"))
    assert neighbours(space, cut) == []


def test_other_spaces_use_their_vector_encoding():
    space = GlobalSpace(layers=3)
    arch = space.sample(np.random.default_rng(0))
    around = neighbours(space, arch)
    assert around and all(space.is_valid(a) for a in around)
    for other in around:
        assert int(np.sum(space.encode(other) != space.encode(arch))) >= 1
        assert space.key(other) != space.key(arch)


@pytest.mark.parametrize("topology", ["dag", "chain"])
def test_path_encoding_counts_every_path(topology):
    from nasdsl.spaces.path_encoding import feature_count, features

    space = CellSpace(topology=topology)
    assert feature_count(space) == 1 + 3 + 9 + 27 + 81 + 243
    x = features(space, BEST)
    # input->out, in->c3->c1->out, in->c3->c3->c3->c1->out, in->c3->c1->out (via vertex 4)
    assert x.sum() == 3  # the two paths through vertex 1 and 4 share their op sequence
    chain = Cell(((0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0)),
                 ("input", "conv1x1", "maxpool3x3", "output"))
    assert features(space, chain).sum() == 1
