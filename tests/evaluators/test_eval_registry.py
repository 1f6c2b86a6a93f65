"""make_evaluator and data_problems: the DSL's evaluator blocks and data checks."""
from __future__ import annotations

import textwrap

import pytest

from nasdsl.errors import DataError
from nasdsl.evaluators import NASBench101Evaluator, data_problems, make_evaluator
from nasdsl.plan import Budget, EvaluatorSpec
from nasdsl.result import Result
from nb101_tables import make_store

EVALS = Budget(100, "evaluations")
SECONDS = Budget(1e6, "seconds")


def nb101(**settings) -> EvaluatorSpec:
    return EvaluatorSpec("nasbench101", settings)


def test_nasbench101_block_builds_the_evaluator(tmp_path):
    store, specs = make_store(tmp_path, count=3)
    ev = make_evaluator(nb101(data=str(store), fitness="test_accuracy", repeats="mean",
                              epochs=12, report=["training_time"]))
    assert isinstance(ev, NASBench101Evaluator)
    assert ev.metrics == ("test_accuracy", "training_time")
    assert ev.evaluate(specs[0][0]).ok


def test_data_problems_name_what_the_shared_store_holds(nb101_store):
    problems = data_problems(nb101(data=str(nb101_store)), EVALS)
    assert problems == [
        "the NAS-Bench-101 store holds test_accuracy, trainable_parameters, flops; fitness "
        "`validation_accuracy` is not among them",
        "the NAS-Bench-101 store holds test_accuracy, trainable_parameters, flops; report "
        "metric `training_time` is not among them",
    ]
    ok = nb101(data=str(nb101_store), fitness="test_accuracy", report=["flops"])
    assert data_problems(ok, EVALS) == []
    (timed,) = data_problems(ok, SECONDS)
    assert "a time budget needs training times" in timed and "test_accuracy" in timed
    (epochs,) = data_problems(nb101(data=str(nb101_store), fitness="test_accuracy",
                                    report=[], epochs=4), EVALS)
    assert "test_accuracy at 108 epochs only; `epochs = 4`" in epochs


def test_data_problems_for_a_missing_store(tmp_path):
    (problem,) = data_problems(nb101(data=str(tmp_path)), EVALS)
    assert "no NAS-Bench-101 store" in problem and "--import" in problem


def test_a_complete_store_has_no_problems(tmp_path):
    store, _ = make_store(tmp_path, count=3)
    assert data_problems(nb101(data=str(store)), SECONDS) == []


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "my_evals.py").write_text(textwrap.dedent('''
        from nasdsl.evaluators.base import Evaluator
        from nasdsl.result import Result

        class Bench:
            """NORD BenchmarkEvaluator shape: (accuracy, time)."""
            def __init__(self, scale=1.0):
                self.scale = scale
            def descriptor_evaluate(self, descriptor, acc="validation_accuracy"):
                if descriptor == "boom":
                    raise RuntimeError("cannot train")
                return self.scale * len(descriptor) / 10, 7.5

        class Local:
            """NORD LocalEvaluator shape: (loss, metrics, time)."""
            def descriptor_evaluate(self, descriptor, epochs=1):
                return 0.3, {"accuracy": 0.8}, 12.0

        class Native(Evaluator):
            metrics = ("score",)
            def evaluate(self, x, seed=None):
                return Result(fitness=1.0, metrics={"score": 1.0})
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_python_target_with_nords_protocol_is_wrapped(plugin):
    spec = EvaluatorSpec("python", {"scale": 2.0}, target="my_evals:Bench")
    ev = make_evaluator(spec, to_descriptor=lambda arch: "x" * arch)
    r = ev.evaluate(3)
    assert r == Result(fitness=0.6, metrics={"validation_accuracy": 0.6}, cost_seconds=7.5)
    failed = make_evaluator(spec).evaluate("boom")
    assert failed.status == "failed" and "cannot train" in failed.error


def test_python_target_local_evaluator_shape(plugin):
    r = make_evaluator(EvaluatorSpec("python", {}, target="my_evals:Local")).evaluate("d")
    assert r.fitness == 0.8 and r.cost_seconds == 12.0 and r.metrics["loss"] == 0.3


def test_python_target_that_is_an_evaluator_is_used_as_is(plugin):
    ev = make_evaluator(EvaluatorSpec("python", {}, target="my_evals:Native"))
    assert type(ev).__name__ == "Native" and ev.evaluate(None).fitness == 1.0


@pytest.mark.parametrize("target, message", [
    ("my_evals", "package.module:"),
    ("no_such_module_xyz:Thing", "cannot import"),
    ("my_evals:Missing", "has no 'Missing'"),
])
def test_bad_python_targets_are_data_errors(plugin, target, message):
    with pytest.raises(DataError, match=message):
        make_evaluator(EvaluatorSpec("python", {}, target=target))


def test_keras_builds_from_its_settings_and_the_data_checks_name_where_they_looked(
        fashion_mnist_dir, monkeypatch, tmp_path):
    from nasdsl.evaluators.keras_training import KerasEvaluator
    from nasdsl.training import datasets

    spec = EvaluatorSpec("keras", {"data": str(fashion_mnist_dir), "subset": 100})
    evaluator = make_evaluator(spec)
    assert isinstance(evaluator, KerasEvaluator) and evaluator.data == str(fashion_mnist_dir)
    assert data_problems(spec, Budget(10, "evaluations")) == []
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv(datasets.MIRROR_ENV, "http://127.0.0.1:9/")
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "none")
    problems = data_problems(EvaluatorSpec("keras", {"data": str(tmp_path / "empty")}),
                             Budget(10, "evaluations"))
    assert len(problems) == 1 and "dataset `fashion_mnist` not found" in problems[0]
    assert str(tmp_path / "empty") + ": not there" in problems[0]
