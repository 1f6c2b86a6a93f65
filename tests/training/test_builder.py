"""Every architecture of either space builds and takes a training step; the NAS-Bench-101
skeleton and its channel rules; saved models load; FLOPs as documented. Tiny models only."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

keras = pytest.importorskip("keras")

from nasdsl.spaces.cell_space import CellSpace  # noqa: E402
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace  # noqa: E402
from nasdsl.training.builder import Truncate, build_model, count_flops, trainable_parameters  # noqa: E402
from nasdsl.training.shapes import ShapeError  # noqa: E402

_X = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
_Y = np.array([0, 1, 2, 3])


def _one_step(model) -> float:
    """One real training step (gradients, optimizer update), run eagerly: tracing a graph per
    sampled model would cost seconds each, and the evaluator's tests train compiled graphs."""
    model.compile("adam", "sparse_categorical_crossentropy", run_eagerly=True)
    loss = model.train_on_batch(_X, _Y)
    return float(loss[0] if isinstance(loss, (list, tuple)) else loss)


@settings(max_examples=6)
@given(st.integers(0, 2**32 - 1), st.sampled_from([5, 7, 9]))
def test_global_architectures_build_and_train_one_step(seed, depth):
    space = GlobalSpace(layers=depth, ops=("conv3x3", "conv1x1", "maxpool2x2", "avgpool2x2"),
                        filters=(2, 4), skips=3)
    arch = space.sample(np.random.default_rng(seed))
    try:
        model = build_model(space.to_descriptor(arch), (28, 28, 1), 10)
    except ShapeError as e:
        assert "below 1×1" in str(e)
        return
    assert model.output_shape == (None, 10)
    assert np.isfinite(_one_step(model))


@settings(max_examples=4)
@given(st.integers(0, 2**32 - 1))
def test_cell_architectures_build_and_train_one_step(seed):
    space = CellSpace(ops=("conv1x1", "conv3x3", "maxpool3x3", "conv5x5", "avgpool3x3"))
    cell = space.sample(np.random.default_rng(seed))
    model = build_model(space.to_descriptor(cell), (28, 28, 1), 10, stem=4, stacks=2, cells=1)
    assert np.isfinite(_one_step(model))


def test_the_nasbench_skeleton_channels_and_truncation():
    # input → a(conv3x3) → b(conv1x1) → output, input → b, a → output: a feeds the output and b
    matrix = [[0, 1, 1, 0], [0, 0, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0]]
    ops = ["input", "conv3x3-bn-relu", "conv1x1-bn-relu", "output"]
    from nasdsl.descriptor import NeuralDescriptor

    model = build_model(NeuralDescriptor.from_nasbench(matrix, ops), (28, 28, 1), 10,
                        stem=6, stacks=2, cells=2)
    convs = [l for l in model.layers if isinstance(l, keras.layers.Conv2D)]
    # stem, then per cell: projection of the input to a, conv a, projection to b, conv b
    assert len(convs) == 1 + 4 * 4
    assert [c.filters for c in convs[:5]] == [6, 3, 3, 3, 3]  # 6 channels shared by a and b
    assert [c.filters for c in convs[-4:]] == [6, 6, 6, 6]  # doubled after the downsampling
    assert not any(isinstance(l, Truncate) for l in model.layers)
    pools = [l for l in model.layers if isinstance(l, keras.layers.MaxPooling2D)]
    assert len(pools) == 1 and pools[0].output.shape[1:3] == (14, 14)
    # 7 channels shared by three vertices feeding the output: 3, 2, 2; the edge from the
    # first (3) into the second (2) keeps the first 2 channels
    cell = NeuralDescriptor.from_nasbench(
        [[0, 1, 1, 1, 0], [0, 0, 1, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0] * 5],
        ["input", "conv3x3-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output"])
    model = build_model(cell, (28, 28, 1), 10, stem=7, stacks=1, cells=1)
    assert [l.channels for l in model.layers if isinstance(l, Truncate)] == [2]


def test_a_saved_model_loads_and_predicts_the_same(tmp_path):
    space = GlobalSpace(layers=3, filters=(4,), skips=1)
    model = build_model(space.to_descriptor(GlobalArch.parse("conv3x3/4 maxpool2x2 conv3x3/4 | 0>2")))
    path = tmp_path / "m.keras"
    model.save(path)
    again = keras.models.load_model(path)
    assert np.allclose(again.predict(_X, verbose=0), model.predict(_X, verbose=0))


def test_flops_and_parameters_as_documented():
    space = GlobalSpace(layers=2, filters=(4,))
    model = build_model(space.to_descriptor(GlobalArch.parse("conv3x3/4 maxpool2x2")))
    conv = 2 * 28 * 28 * 3 * 3 * 1 * 4
    dense = 2 * (14 * 14 * 4) * 10
    assert count_flops(model) == conv + dense
    assert trainable_parameters(model) == 3 * 3 * 4 + 2 * 4 + (14 * 14 * 4) * 10 + 10


def test_a_pooling_that_would_vanish_is_refused_before_any_model_exists():
    space = GlobalSpace(layers=5, ops=("maxpool2x2",))
    with pytest.raises(ShapeError, match="below 1×1"):
        build_model(space.to_descriptor(GlobalArch.parse(" ".join(["maxpool2x2"] * 5))))
