"""`evaluate keras { … }`: training on a dataset with Keras — its settings, declared ahead of
the evaluator itself, which this version of nasdsl does not ship yet: a file using it is
checked as it will be run, and `run` refuses it with one clear sentence."""
from __future__ import annotations

from typing import Any, ClassVar, Mapping

from nasdsl.errors import DataError
from nasdsl.evaluators.base import Evaluator, accuracies
from nasdsl.plan import Budget, Call
from nasdsl.result import Result
from nasdsl.settings import (CallType, IntType, NameType, NumberType, OneOf, Param,
                             StringType)

MISSING = "the Keras evaluator is not part of this version of nasdsl yet"
METRICS = ("validation_accuracy", "validation_loss", "train_accuracy", "train_loss",
           "test_accuracy", "training_time", "parameters")
DATASETS = ("fashion_mnist", "mnist", "digits", "cifar10")


def _non_empty(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


DATASET = OneOf((
    NameType(DATASETS, "dataset"),
    CallType({"npz": (Param("path", StringType("a string (a path)", _non_empty)),)}, "dataset"),
))
OPTIMIZERS = CallType({
    "adam": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.001),),
    "sgd": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.01),
            Param("momentum", NumberType(0.0), 0.0)),
    "rmsprop": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.001),
                Param("rho", NumberType(0.0, 1.0), 0.9)),
}, "optimizer")


class KerasEvaluator(Evaluator):
    """Train each candidate with Keras and score it on held-out data."""

    parameters: ClassVar = (
        Param("dataset", DATASET, "fashion_mnist",
              f"{', '.join(DATASETS)}, or npz(\"path\")"),
        Param("epochs", IntType(1), 10, "training epochs per candidate"),
        Param("batch_size", IntType(1), 128),
        Param("optimizer", OPTIMIZERS, Call("adam", {"learning_rate": 0.001})),
        Param("validation", NumberType(0.0, 1.0, lo_open=True, hi_open=True), 0.1,
              "fraction of the training set held out to score fitness"),
        Param("subset", OneOf((IntType(1), NumberType(0.0, 1.0, lo_open=True))), 1.0,
              "fraction (float) or count (integer) of the training set"),
        Param("fitness", NameType(accuracies(METRICS), "metric"), "validation_accuracy"),
        Param("stem", IntType(1), 128, "stem channels around a cell space"),
        Param("stacks", IntType(1), 3, "stacks around a cell space"),
        Param("cells", IntType(1), 3, "cells per stack around a cell space"),
    )
    expensive: ClassVar[bool] = True
    offers: ClassVar[tuple[str, ...]] = METRICS

    def __init__(self, **settings: Any):
        raise DataError(MISSING)

    @classmethod
    def data_problems(cls, settings: Mapping[str, Any], budget: Budget) -> list[str]:
        return [MISSING]

    @property
    def metrics(self) -> tuple[str, ...]:
        return ()

    def evaluate(self, x: Any, seed: int | None = None) -> Result:
        raise DataError(MISSING)
