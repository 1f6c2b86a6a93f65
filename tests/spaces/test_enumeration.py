"""Enumerating the cell space reproduces exactly the cells of the NAS-Bench-101 table."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nasdsl.spaces import enumeration
from nasdsl.spaces.cell_space import CellSpace


def _table_hashes(nb101_table, max_vertices: int) -> set[str]:
    with np.load(nb101_table) as table:
        sizes, hashes = table["num_vertices"], table["hash"]
    return {h.decode() for h in hashes[sizes <= max_vertices].tolist()}


@pytest.mark.parametrize("vertices,expected", [(5, 1 + 6 + 84 + 2441)])
def test_enumeration_of_small_cells_equals_the_table(nb101_table, vertices, expected):
    space = CellSpace(vertices=vertices, edges=9)
    hashes = space.enumerate_hashes()
    assert len(hashes) == expected
    assert hashes == _table_hashes(nb101_table, vertices)


# about 80 s: the smaller spaces above check the same rule by default
@pytest.mark.slow
def test_enumeration_of_the_default_space_equals_the_table(nb101_table):
    assert CellSpace().enumerate_hashes() == _table_hashes(nb101_table, 7)


def _table_hashes_with_inputs(nb101_table, max_vertices: int, inputs: int) -> set[str]:
    """The table's cells whose adjacency has no column with more than `inputs` ones."""
    with np.load(nb101_table) as table:
        sizes, hashes, adjacency = table["num_vertices"], table["hash"], table["adjacency"]
    keep = (sizes <= max_vertices) & (adjacency.sum(axis=1).max(axis=1) <= inputs)
    return {h.decode() for h in hashes[keep].tolist()}


def test_the_wide_space_is_the_tables_cells_of_at_most_two_inputs(nb101_table, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    assert len(_table_hashes_with_inputs(nb101_table, 7, 2)) == 182_947
    assert CellSpace(inputs=2).size() == 182_947
    assert CellSpace(inputs=1).size() == 364  # the 363 chains and input → output
    small = CellSpace(vertices=6, inputs=2)
    assert small.enumerate_hashes() == _table_hashes_with_inputs(nb101_table, 6, 2)
    assert small.size() == len(_table_hashes_with_inputs(nb101_table, 6, 2))


def test_counts_by_vertices_match_the_table():
    counts = [enumeration.count_labelled(n, 9, 3) for n in range(2, 8)]
    assert counts == [1, 6, 84, 2441, 62010, 359082]


def test_size_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path))
    assert CellSpace(vertices=5, edges=6).size() == enumeration.count_cells(5, 6, 3, False)
    cache = tmp_path / "space_sizes.json"
    data = json.loads(cache.read_text())
    assert data == {"cell-dag:v=5,e=6,k=3": CellSpace(vertices=5, edges=6).size()}
    # The cached figure is what size() answers (proof that it is read, not recomputed).
    cache.write_text(json.dumps({"cell-dag:v=5,e=6,k=3": 12345}))
    assert CellSpace(vertices=5, edges=6).size() == 12345


def test_unwritable_cache_still_counts(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NASDSL_DATA", str(blocker / "sub"))
    assert CellSpace(vertices=4, edges=9).size() == 1 + 6 + 84


def test_chain_counts():
    assert enumeration.count_chains(7, 9, 3) == 363
    assert enumeration.count_chains(7, 3, 3) == 3 + 9
    assert CellSpace(vertices=4, topology="chain", ops=("conv3x3",)).size() == 2
