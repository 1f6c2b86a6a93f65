"""The Keras evaluator serving fidelities on a few hundred Fashion-MNIST images: learning curves, a
training continued from the state a shorter one ended with, and states that cannot be
continued refused as failed results."""
from __future__ import annotations

import io

import numpy as np
import pytest

pytest.importorskip("keras")

from nasdsl.evaluation.fidelity import Trial  # noqa: E402
from nasdsl.evaluators.keras_training import KerasEvaluator  # noqa: E402
from nasdsl.spaces.global_space import GlobalArch, GlobalSpace  # noqa: E402

SPACE = GlobalSpace(layers=(2, 4), ops=("conv3x3", "maxpool2x2"), filters=(4, 8))
ARCH = GlobalArch.parse("conv3x3/8 maxpool2x2 conv3x3/4")
OTHER = GlobalArch.parse("conv3x3/4 conv3x3/4")


@pytest.fixture(scope="module")
def evaluator(fashion_mnist_dir):
    return KerasEvaluator(data=str(fashion_mnist_dir), epochs=3, batch_size=64, subset=600,
                          validation=0.25, space=SPACE)


@pytest.fixture(scope="module")
def parent(evaluator):
    """One epoch of ARCH, below the highest fidelity: its result carries a state."""
    return evaluator.evaluate(Trial(ARCH, 1), seed=5)


def test_every_training_records_its_curve_after_each_epoch(evaluator):
    result = evaluator.evaluate(ARCH, seed=3)
    assert result.ok and result.state is None  # the highest fidelity: nothing to continue
    curve = result.metrics["curve"]
    assert [point[0] for point in curve] == [1, 2, 3]
    assert curve[-1][1:] == [result.metrics["validation_accuracy"],
                             result.metrics["validation_loss"]]
    assert curve[0][2] > curve[-1][2]  # it learns: the validation loss falls


def test_a_continued_training_goes_on_where_its_parent_stopped(evaluator, parent):
    """1 epoch, then 2 more from its state: the same curve, the same weights' scores, as 3
    epochs straight (the order of images per epoch depends on (seed, epoch), the continued
    training keeps its parent's seed whatever its own)."""
    assert parent.ok and isinstance(parent.state, bytes)
    assert [p[0] for p in parent.metrics["curve"]] == [1]
    child = evaluator.evaluate(Trial(ARCH, 3, start=1, state=parent.state), seed=99)
    assert child.ok and child.state is None
    assert [p[0] for p in child.metrics["curve"]] == [2, 3]
    straight = evaluator.evaluate(Trial(ARCH, 3), seed=5)
    assert parent.metrics["curve"] + child.metrics["curve"] == straight.metrics["curve"]
    assert child.metrics["train_loss"] == straight.metrics["train_loss"]
    assert child.metrics["curve"][0][2] < parent.metrics["curve"][0][2]  # not restarted
    assert child.metrics["training_time"] == child.cost_seconds > 0


def test_a_state_holds_weights_and_optimizer_state_as_plain_arrays(evaluator, parent):
    with np.load(io.BytesIO(parent.state), allow_pickle=False) as archive:
        names = archive.files
        ended = archive["ended"].tolist()
        iterations = archive["o0"].tolist()
    assert ended == [1, 5]  # 1 epoch, images ordered by seed 5
    assert iterations == 8  # Adam's step count: ⌈450 / 64⌉ batches
    assert any(n.startswith("w") for n in names) and len(names) > 10
    again = evaluator.evaluate(Trial(ARCH, 2, start=2, state=parent.state), seed=1)
    assert again.status == "failed" and "ended after 1 epoch;" in again.error


@pytest.mark.parametrize("damage, says", [
    (lambda s: b"not a state at all", "unreadable"),
    (lambda s: s[: len(s) // 2], "unreadable"),
    (lambda s: b"", "empty"),
])
def test_a_corrupt_state_is_a_failed_result_saying_so(evaluator, parent, damage, says):
    result = evaluator.evaluate(Trial(ARCH, 2, start=1, state=damage(parent.state)), seed=2)
    assert result.status == "failed"
    assert result.error.startswith("cannot continue: the saved state") and says in result.error


def test_another_architectures_or_a_pickled_state_is_refused(evaluator):
    state = evaluator.evaluate(Trial(OTHER, 1), seed=2).state
    result = evaluator.evaluate(Trial(ARCH, 2, start=1, state=state), seed=2)
    assert result.status == "failed" and "another architecture's" in result.error
    out = io.BytesIO()
    np.savez(out, format=np.array([1]), ended=np.array([1, 0]),
             w0=np.array([object()], dtype=object))
    result = evaluator.evaluate(Trial(ARCH, 2, start=1, state=out.getvalue()), seed=2)
    assert result.status == "failed" and "unreadable" in result.error


def test_a_trial_beyond_the_highest_fidelity_is_failed(evaluator):
    result = evaluator.evaluate(Trial(ARCH, 4), seed=0)
    assert result.status == "failed" and "1 to 3" in result.error
    assert KerasEvaluator.fidelities({"epochs": 3}) is None and KerasEvaluator.continues
