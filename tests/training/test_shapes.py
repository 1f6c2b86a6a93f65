"""The shape rules, checked before TensorFlow: pooling limits, skip joins, NAS-Bench-101's
channel rules."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace
from nasdsl.training.shapes import (
    STACK_POOLS, ShapeError, Source, cell_channels, most_poolings, network_kind, plan_cell,
    plan_stack,
)

FASHION = (28, 28, 1)


def _plan(text: str, shape=FASHION):
    space = GlobalSpace(layers=(1, 9), ops=("conv3x3", "conv1x1", "maxpool2x2", "avgpool2x2"),
                        filters=(8, 16), skips=3)
    return plan_stack(space.to_descriptor(GlobalArch.parse(text)), shape)


def test_a_pooling_below_one_pixel_is_refused_naming_the_layer():
    with pytest.raises(ShapeError, match=r"layer 4 \(maxpool2x2\) would pool a 1×1 map.*"
                                         r"at most 4 2×2 poolings"):
        _plan("maxpool2x2 avgpool2x2 maxpool2x2 maxpool2x2 maxpool2x2")
    assert _plan("maxpool2x2 avgpool2x2 maxpool2x2 maxpool2x2").layers[-1].size == (1, 1)
    with pytest.raises(ShapeError, match="at most 3"):
        _plan("conv3x3/8 maxpool2x2 maxpool2x2 maxpool2x2 maxpool2x2", (8, 8, 1))


def test_a_skip_from_a_larger_map_is_pooled_to_the_smaller_and_concatenated():
    plan = _plan("conv3x3/8 maxpool2x2 maxpool2x2 conv1x1/16 | 0>3")
    last = plan.layers[3]
    assert last.inputs == (Source("2_Layer", 0), Source("0_Layer", 2))
    assert [layer.size for layer in plan.layers] == [(28, 28), (14, 14), (7, 7), (7, 7)]
    assert [layer.channels for layer in plan.layers] == [8, 8, 8, 16]
    pooled = _plan("conv3x3/8 conv3x3/16 maxpool2x2 | 0>2").layers[2]
    assert pooled.channels == 24 and pooled.size == (14, 14)
    assert plan.outputs == (Source("3_Layer", 0),)


@given(st.integers(0, 2**32 - 1), st.sampled_from([5, 7, 9]))
def test_every_global_architecture_plans_or_is_refused_for_too_many_poolings(seed, depth):
    space = GlobalSpace(layers=depth, ops=("conv3x3", "maxpool2x2"), filters=(16, 32), skips=3)
    arch = space.sample(np.random.default_rng(seed))
    pools = sum(op in STACK_POOLS for op, _ in arch.layers)
    try:
        plan = plan_stack(space.to_descriptor(arch), FASHION)
    except ShapeError as e:
        assert pools > most_poolings((28, 28)) and "below 1×1" in str(e)
        return
    assert pools <= most_poolings((28, 28))
    assert all(min(layer.size) >= 1 for layer in plan.layers)
    for layer in plan.layers:  # every input of a layer reaches the same size after pooling
        sizes = set()
        for source in layer.inputs:
            h, w = (28, 28) if source.layer is None else \
                next(x.size for x in plan.layers if x.name == source.layer)
            for _ in range(source.poolings):
                h, w = h // 2, w // 2
            sizes.add((h, w))
        assert len(sizes) == 1


def test_nasbench_channel_rules():
    # input → a, b, c → output: the output's 128 channels shared, remainder to the first
    m = ((0, 1, 1, 1, 0), (0, 0, 0, 0, 1), (0, 0, 0, 0, 1), (0, 0, 0, 0, 1), (0,) * 5)
    assert cell_channels(m, 64, 128) == [64, 43, 43, 42, 128]
    # input → a → b → output: a takes b's channels
    chain = ((0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1), (0, 0, 0, 0))
    assert cell_channels(chain, 32, 64) == [32, 64, 64, 64]
    assert cell_channels(((0, 1), (0, 0)), 16, 32) == [16, 32]


@given(st.integers(0, 2**32 - 1))
def test_every_cell_edge_carries_at_least_the_channels_of_its_target(seed):
    space = CellSpace()
    cell = space.sample(np.random.default_rng(seed))
    plan = plan_cell(space.to_descriptor(cell))
    n = len(plan.ops)
    channels = cell_channels(plan.matrix, 128, 128)
    for u in range(1, n - 1):
        for v in range(u + 1, n - 1):
            if plan.matrix[u][v]:
                assert channels[u] >= channels[v]  # truncation always possible
    assert all(c > 0 for c in channels)


def test_cell_and_stack_descriptors_are_told_apart_and_a_disconnected_cell_refused():
    cells, stacks = CellSpace(), GlobalSpace(layers=2)
    cell = cells.sample(np.random.default_rng(0))
    assert network_kind(cells.to_descriptor(cell)) == "cell"
    assert network_kind(stacks.to_descriptor(GlobalArch.parse("conv3x3/16 maxpool2x2"))) == "stack"
    from nasdsl.descriptor import NeuralDescriptor

    broken = NeuralDescriptor.from_nasbench([[0, 0, 0], [0, 0, 1], [0, 0, 0]],
                                            ["input", "conv3x3-bn-relu", "output"])
    with pytest.raises(ShapeError, match="disconnected"):
        plan_cell(broken)
