"""The decision environment: every episode ends in an architecture of the space, and every
architecture of the space is the end of some episode (checked by walking every episode)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.cell_environment import CellEnvironment
from nasdsl.spaces.environment import make_environment, walk
from nasdsl.spaces.global_space import GlobalSpace

SMALL_CELLS = [
    CellSpace(topology="chain"),
    CellSpace(vertices=4),
    CellSpace(vertices=5, edges=7),
    CellSpace(vertices=5, edges=5),
    CellSpace(vertices=5, inputs=2),
    CellSpace(vertices=5, inputs=1),
    CellSpace(vertices=6, edges=7, ops=("conv3x3",), inputs=2),
    CellSpace(vertices=5, edges=6, ops=("conv3x3",), topology="chain"),
]


@pytest.mark.parametrize("space", SMALL_CELLS, ids=repr)
def test_episodes_reach_exactly_the_cells_of_the_space(space: CellSpace):
    environment = make_environment(space)
    cells = walk(environment)
    assert all(space.invalid_reason(c) is None for c in cells)
    keys = {space.key(c) for c in cells}
    if space.topology == "chain":
        assert len(keys) == space.size()
    else:
        assert keys == space.enumerate_hashes()
    # Each cell is built as its pruned spec: nothing is left dangling.
    assert all(c.pruned().num_vertices == c.num_vertices for c in cells)


SMALL_GLOBALS = [
    GlobalSpace(layers=(1, 4), ops=("conv3x3", "maxpool2x2"), filters=(16, 32), skips=1),
    GlobalSpace(layers=3, skips=2),
    GlobalSpace(layers=(2, 5), ops=("conv3x3",), filters=(16,), skips=3),
    GlobalSpace(layers=(1, 3), ops=("conv1x1", "avgpool2x2"), filters=(8,)),
]


@pytest.mark.parametrize("space", SMALL_GLOBALS, ids=repr)
def test_episodes_reach_exactly_the_global_architectures(space: GlobalSpace):
    archs = walk(make_environment(space))
    assert all(space.invalid_reason(a) is None for a in archs)
    assert len({space.key(a) for a in archs}) == len(archs) == space.size()


LARGE = [
    CellSpace(),
    CellSpace(inputs=2),
    CellSpace(topology="chain"),
    CellSpace(vertices=7, edges=7, ops=("conv3x3", "conv5x5", "avgpool3x3", "conv1x1")),
    CellSpace(vertices=9, edges=12, inputs=3),
    GlobalSpace(layers=(5, 9), skips=2),
]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(LARGE) - 1), st.integers(0, 2**32 - 1))
def test_random_episodes_end_in_the_space(k: int, seed: int):
    space, rng = LARGE[k], np.random.default_rng(seed)
    environment = make_environment(space)
    episode = environment.reset()
    tokens = [episode.tokens()]
    while not episode.done:
        allowed = np.flatnonzero(episode.mask())
        assert len(allowed) >= 2  # a forced decision is never shown
        episode.step(int(rng.choice(allowed)))
        tokens.append(episode.tokens())
    arch = episode.architecture()
    assert space.invalid_reason(arch) is None, str(arch)
    assert len(episode.decisions) <= environment.max_decisions
    for state in tokens:
        assert state.shape == (environment.sequence_length,)
        assert 0 <= state.min() and state.max() < environment.vocabulary
    # Replaying the controller's actions rebuilds the same architecture and states.
    again = environment.replay([a for _, a in episode.decisions])
    assert again.done and space.key(again.architecture()) == space.key(arch)
    assert np.array_equal(again.tokens(), tokens[-1])


def test_the_chain_asks_only_for_ops_and_stop():
    environment = make_environment(CellSpace(topology="chain"))
    episode = environment.reset()
    names = [environment.action_name(a) for a in np.flatnonzero(episode.mask())]
    assert names == ["conv1x1", "conv3x3", "maxpool3x3"]  # a chain has at least one layer
    episode.step(1)
    names = [environment.action_name(a) for a in np.flatnonzero(episode.mask())]
    assert names == ["conv1x1", "conv3x3", "maxpool3x3", "stop"]
    episode.step(environment.action_names.index("stop"))
    assert episode.done and len(episode.decisions) == 2
    assert episode.architecture() == Cell(((0, 1, 0), (0, 0, 1), (0, 0, 0)),
                                          ("input", "conv3x3", "output"))


def test_inputs_are_masked_to_what_can_still_finish():
    # Two inputs at most, 5 vertices, 5 edges: after input → a, input → b (a and b feed
    # nothing yet), a third layer c is the last one before the output.
    space = CellSpace(vertices=5, edges=5, inputs=2)
    environment: CellEnvironment = make_environment(space)
    names = environment.action_names
    episode = environment.replay([names.index("conv3x3"), names.index("conv1x1"),
                                  names.index("inputs 0")])
    assert episode.open == 0b110 and episode.edges == 2
    episode.step(names.index("maxpool3x3"))
    allowed = {names[a] for a in np.flatnonzero(episode.mask())}
    # c reading a and b (then the output reads c), or one of them (then the output reads
    # c and the other: 5 edges). Reading the input would leave three for the output, which
    # may read two; reading the input and a or b would need a sixth edge.
    assert allowed == {"inputs 1", "inputs 2", "inputs 1+2"}
    with pytest.raises(ValueError, match="not allowed"):
        episode.step(names.index("inputs 0"))


def test_spaces_without_a_choice_end_at_once():
    environment = make_environment(CellSpace(vertices=2))
    episode = environment.reset()
    assert episode.done and episode.decisions == []
    assert episode.architecture() == Cell(((0, 1), (0, 0)), ("input", "output"))


def test_an_environment_too_wide_is_refused():
    with pytest.raises(ValueError, match="actions"):
        make_environment(CellSpace(vertices=14, edges=20))
