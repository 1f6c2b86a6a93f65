"""The global space: stacks of layers with skips; exact sizes and lossless encodings."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nasdsl.descriptor import NeuralDescriptor
from nasdsl.plan import Call, SpaceSpec
from nasdsl.spaces import make_space
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace

SPACES = [
    GlobalSpace(layers=5),
    GlobalSpace(layers=(2, 6), skips=2),
    GlobalSpace(layers=(1, 3), ops=("conv1x1", "conv5x5", "avgpool2x2"), filters=(8,), skips=1),
    GlobalSpace(layers=4, ops=("maxpool2x2",), skips=3),
]
space_index = st.integers(0, len(SPACES) - 1)
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_sampled_and_mutated_archs_are_valid(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    arch = space.sample(rng)
    assert space.invalid_reason(arch) is None
    for mutation in (Call("flip", {"rate": 1.0}),
                     Call("grow", {"add_node": 0.4, "add_connection": 0.4})):
        arch = space.mutate(arch, rng, mutation)
        assert space.invalid_reason(arch) is None, str(arch)


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_encode_decode_text_and_descriptor_round_trip(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    arch = space.sample(rng)
    x = space.encode(arch)
    lower, upper = space.bounds
    assert len(x) == len(lower) == space.nix and np.all((lower <= x) & (x <= upper))
    assert space.decode(x) == arch
    assert space.parse(space.canonical(arch)) == arch
    d = space.to_descriptor(arch)
    assert space.from_descriptor(d) == arch
    assert space.from_descriptor(NeuralDescriptor.from_text(d.to_text())) == arch


@settings(max_examples=60, deadline=None)
@given(space_index, seeds)
def test_any_in_bounds_vector_decodes_to_a_valid_arch(k, seed):
    space, rng = SPACES[k], np.random.default_rng(seed)
    lower, upper = space.bounds
    x = rng.integers(lower.astype(int), upper.astype(int) + 1).astype(float)
    assert space.is_valid(space.decode(x))


def _brute_force_size(space: GlobalSpace) -> int:
    seen = set()
    for depth in range(space.lo, space.hi + 1):
        pairs = [(i, j) for i in range(depth) for j in range(i + 2, depth)]
        for layers in itertools.product(space._choices, repeat=depth):
            for count in range(space.skips + 1):
                for skips in itertools.combinations(pairs, count):
                    arch = GlobalArch(layers, frozenset(skips))
                    assert space.is_valid(arch)
                    seen.add(space.key(arch))
    return len(seen)


@pytest.mark.parametrize("space", [
    GlobalSpace(layers=3),
    GlobalSpace(layers=(1, 4), ops=("conv3x3", "maxpool2x2"), filters=(16, 32), skips=1),
    GlobalSpace(layers=5, ops=("maxpool2x2",), skips=2),
])
def test_size_matches_brute_force(space):
    assert space.size() == _brute_force_size(space)


def test_size_formula_for_a_swept_depth():
    space = GlobalSpace(layers=(5, 9), ops=("conv3x3", "maxpool2x2"), filters=(16, 32, 64, 128))
    assert space.size() == sum(5 ** d for d in range(5, 10))


def test_grow_inserts_layers_and_skips_within_limits():
    space, rng = GlobalSpace(layers=(2, 4), skips=1), np.random.default_rng(0)
    arch = GlobalArch((("conv3x3", 16), ("maxpool2x2", None)))
    deeper = space.grow(arch, rng, add_node=1.0, add_connection=0.0)
    assert deeper.depth == 3
    skipped = space.grow(deeper, rng, add_node=0.0, add_connection=1.0)
    assert skipped.skips == {(0, 2)} and skipped.layers == deeper.layers
    assert space.grow(skipped, rng, add_node=0.0, add_connection=1.0) == skipped
    full = GlobalArch((("conv3x3", 16),) * 4)
    assert space.grow(full, rng, add_node=1.0, add_connection=0.0) == full


def test_descriptor_layers_are_nord_style():
    space = GlobalSpace(layers=3, skips=1)
    arch = GlobalArch((("conv3x3", 64), ("maxpool2x2", None), ("conv3x3", 32)),
                      frozenset({(0, 2)}))
    d = space.to_descriptor(arch)
    assert d.layers == {"0_Layer": ["conv3x3", {"filters": 64}],
                        "1_Layer": ["maxpool2x2", {}],
                        "2_Layer": ["conv3x3", {"filters": 32}]}
    assert d.connections["0_Layer"] == ["1_Layer", "2_Layer"]
    assert space.canonical(arch) == "conv3x3/64 maxpool2x2 conv3x3/32 | 0>2"


def test_invalid_archs_are_explained():
    space = GlobalSpace(layers=3)
    assert "layers" in space.invalid_reason(GlobalArch((("conv3x3", 16),)))
    assert "not in the space" in space.invalid_reason(GlobalArch((("conv3x3", 17),) * 3))
    assert "skips" in space.invalid_reason(GlobalArch((("conv3x3", 16),) * 3,
                                                      frozenset({(0, 2)})))
    with pytest.raises(ValueError, match="not a global architecture"):
        space.parse("conv3x3/x")


def test_make_space_builds_a_global_space():
    space = make_space(SpaceSpec("global", {"layers": (5, 9), "ops": ["conv3x3", "maxpool2x2"],
                                            "filters": [16, 32, 64, 128], "skips": 0}))
    assert isinstance(space, GlobalSpace) and space.nix == 9 * 2 + 1
