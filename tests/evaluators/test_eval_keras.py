"""The Keras evaluator on a few hundred real Fashion-MNIST images: results and metrics,
determinism for a seed, invalid and failed candidates, NORD's protocol, pickling."""
from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("keras")

from nasdsl.evaluators.keras_training import KerasEvaluator  # noqa: E402
from nasdsl.evaluators.python_target import DescriptorEvaluator  # noqa: E402
from nasdsl.plan import Call  # noqa: E402
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace  # noqa: E402

SPACE = GlobalSpace(layers=(2, 5), ops=("conv3x3", "maxpool2x2"), filters=(4, 8), skips=1)
ARCH = GlobalArch.parse("conv3x3/8 maxpool2x2 conv3x3/4 | 0>2")


@pytest.fixture(scope="module")
def evaluator(fashion_mnist_dir):
    return KerasEvaluator(data=str(fashion_mnist_dir), epochs=1, batch_size=32, subset=320,
                          validation=0.25, space=SPACE)


def test_a_candidate_trains_and_reports_every_metric_the_same_for_a_seed(evaluator):
    first = evaluator.evaluate(ARCH, seed=7)
    assert first.ok and 0.0 <= first.fitness <= 1.0
    assert first.fitness == first.metrics["validation_accuracy"]
    assert set(first.metrics) == set(evaluator.metrics) | {"curve"}
    assert [p[0] for p in first.metrics["curve"]] == [1]
    # conv 8 (+ batch norm), then 8 + 8 skip channels into conv 4, flattened 14×14×4 → 10
    assert first.metrics["parameters"] == 3 * 3 * 8 + 16 + 3 * 3 * 16 * 4 + 8 + 14 * 14 * 4 * 10 + 10
    assert first.cost_seconds == first.metrics["training_time"] > 0
    again = evaluator.evaluate(ARCH, seed=7)
    assert again.metrics["validation_loss"] == first.metrics["validation_loss"]
    assert again.metrics["train_loss"] == first.metrics["train_loss"]


def test_outside_the_space_or_unbuildable_is_invalid_before_training(evaluator):
    too_deep = GlobalArch.parse(" ".join(["conv3x3/4"] * 6))
    assert evaluator.evaluate(too_deep).status == "invalid"
    pools = GlobalArch.parse("maxpool2x2 maxpool2x2 maxpool2x2 maxpool2x2 maxpool2x2")
    result = evaluator.evaluate(pools)
    assert result.status == "invalid" and "below 1×1" in result.error
    assert result.cost_seconds == 0


def test_a_diverging_candidate_is_failed_with_the_reason(fashion_mnist_dir):
    wild = KerasEvaluator(data=str(fashion_mnist_dir), epochs=2, batch_size=32, subset=200,
                          optimizer=Call("sgd", {"learning_rate": 1e30}), space=SPACE)
    result = wild.evaluate(GlobalArch.parse("conv3x3/4 conv3x3/4"), seed=1)
    assert result.status == "failed" and "diverged" in result.error


def test_out_of_memory_is_a_failed_result(evaluator, monkeypatch):
    """TensorFlow's out-of-memory error cannot be provoked safely on a shared machine: the
    training call raises it here."""
    import keras
    import tensorflow as tf

    def fit(self, *args, **kwargs):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")

    monkeypatch.setattr(keras.Model, "fit", fit)
    result = evaluator.evaluate(ARCH, seed=1)
    assert result.status == "failed" and result.error.startswith("out of memory: OOM")


def test_nord_local_evaluator_protocol_on_a_pickled_copy(evaluator):
    """The evaluator pickles as its settings (a worker loads the images itself) and the copy
    speaks NORD's protocol, directly and through the descriptor wrapper."""
    evaluator.split()
    blob = pickle.dumps(evaluator)
    assert len(blob) < 10_000  # no images inside
    other = pickle.loads(blob)
    descriptor = SPACE.to_descriptor(ARCH)
    loss, metrics, seconds = other.descriptor_evaluate(descriptor, 5, data_percentage=0.005,
                                                       untrained=True)
    assert metrics["accuracy"] == metrics["validation_accuracy"] and loss == metrics["validation_loss"]
    assert metrics["training_time"] == 0 and "train_loss" not in metrics and seconds > 0
    wrapped = DescriptorEvaluator(other, SPACE.to_descriptor, epochs=1, data_percentage=0.005)
    result = wrapped.evaluate(ARCH)
    assert result.ok and result.fitness == result.metrics["validation_accuracy"]
    assert result.metrics["train_loss"] > 0
