"""Cheap objectives are counted from the network's shape, never trained: on NAS-Bench-101
cells the Keras builder's counts are the table's `trainable_parameters`, and in training
what a search is told before it trains is what the training then records."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras")

from nasdsl.evaluators.keras_training import KerasEvaluator  # noqa: E402
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator  # noqa: E402
from nasdsl.plan import Call  # noqa: E402
from nasdsl.spaces import CellSpace  # noqa: E402
from nasdsl.spaces.global_space import GlobalSpace  # noqa: E402

pytestmark = pytest.mark.slow  # TensorFlow builds, and a training


def test_the_builders_parameters_of_nasbench101_cells_are_the_tables(nb101_store):
    """Each cell as the table holds it (pruned: the builder trains what it is given, and a
    sampled cell may carry vertices off every input-output path)."""
    from nasdsl.descriptor import NeuralDescriptor
    from nasdsl.store.nasbench101 import NASBench101Store
    from nasdsl.training.builder import build_model, trainable_parameters

    space, rng = CellSpace(), np.random.default_rng(3)
    store = NASBench101Store.open(nb101_store)
    known = NASBench101Evaluator.cheap_function({"data": str(nb101_store)})
    for _ in range(4):
        arch = space.sample(rng)
        matrix, ops = store.spec(store.row(space.key(arch)))
        cell = NeuralDescriptor.from_nasbench(np.asarray(matrix).tolist(), list(ops))
        model = build_model(cell, (32, 32, 3), 10)
        assert trainable_parameters(model) == known(arch)["parameters"]


def test_keras_cheap_counts_are_what_training_records(fashion_mnist_dir):
    space = GlobalSpace(layers=(3, 4), ops=["conv3x3", "maxpool2x2"], filters=[16, 32])
    settings = {"data": str(fashion_mnist_dir), "epochs": 1, "batch_size": 32, "subset": 320,
                "objectives": [Call("maximize", {"metric": "validation_accuracy"}),
                               Call("minimize", {"metric": "parameters"})]}
    cheap = KerasEvaluator.cheap_function(settings, space)
    evaluator = KerasEvaluator(**settings, space=space)
    arch = space.sample(np.random.default_rng(0))
    before = cheap(arch)
    result = evaluator.evaluate(arch, seed=0)
    assert result.ok and before["parameters"] == result.metrics["parameters"] > 0
    assert before["flops"] == result.metrics["flops"]
    assert result.fitness == result.metrics["validation_accuracy"]
