"""`evaluate keras { … }`: every candidate trained for real, scored on held-out images.

One evaluation: the architecture becomes a descriptor (the space's `to_descriptor`), the
descriptor a Keras model (`nasdsl.training.builder`; an architecture that cannot be built on
the dataset's images is `invalid` before any training), which trains `epochs` epochs with the
file's optimizer and batch size on the search split (`subset` of the training set less the
`validation` fraction, drawn once with seed 0, so every candidate sees the same images) and is
scored on the held-out part. A run out of memory, or a loss that is no longer a number, is a
`failed` result with the reason; the search goes on.

Metrics of each result: `validation_accuracy`, `validation_loss`, `train_accuracy` and
`train_loss` (last epoch), `training_time` (seconds of `fit`, also the result's cost),
`parameters` (trainable), `flops` (`builder.count_flops`), `test_accuracy`/`test_loss`
when the fitness is `test_accuracy`, and `curve`: the learning curve, scored after every
epoch trained. `retrain` is the `final` block's: the whole training set, scored on the test
set, the model saved.

Several fidelities: `epochs` is the highest; a multi-fidelity search asks for fewer with a
`Trial`, and continues a promoted candidate from the weights and optimizer state
(`nasdsl.training.state`) its shorter training ended with. Each epoch's image order comes
from (seed, epoch), and a continued training keeps its parent's seed: continuing from r to R
epochs trains exactly as training R epochs straight would.

The evaluator is built from its settings alone and loads its dataset on first use, in the
process that trains (a Dask worker builds its own from the same settings). The same object
speaks NORD's `LocalEvaluator` protocol (`descriptor_evaluate`).
"""
from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar, Mapping

from nasdsl.errors import DataError
from nasdsl.evaluation.fidelity import CURVE, Trial
from nasdsl.evaluators.base import Evaluator, accuracies
from nasdsl.evaluators.objectives import check_objectives, objectives_param
from nasdsl.objectives import objectives_of
from nasdsl.plan import Budget, Call
from nasdsl.result import Result
from nasdsl.settings import (BoolType, CallType, IntType, NameType, NumberType, OneOf, Param,
                             Review, SettingError, StringType, within_bounds)
from nasdsl.settings.bounds import MAX_BATCH, MAX_CHANNELS, MAX_EPOCHS, MAX_STACKS
from nasdsl.wording import count

METRICS = ("validation_accuracy", "validation_loss", "train_accuracy", "train_loss",
           "training_time", "parameters", "flops")
"""What every result carries; `test_accuracy` and `test_loss` join when they are the fitness,
and `CURVE` when it trained at least one epoch: [epoch, validation accuracy, validation loss]
after each epoch trained (`final`'s retrainings: test accuracy and loss)."""
OFFERS = METRICS[:4] + ("test_accuracy", "test_loss") + METRICS[4:]
DATASETS = ("fashion_mnist", "mnist", "digits", "cifar10")
KERAS_MISSING = "the Keras evaluator needs TensorFlow and Keras: pip install 'nasdsl[keras]'"


def _non_empty(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


def _folder_problem(text: str) -> str | None:
    if not text.strip():
        return "must not be empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return "must not hold control characters"
    return None


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
DEFAULT_OPTIMIZER = Call("adam", {"learning_rate": 0.001})
OPTIMIZER_DEFAULTS = {name: {p.name: p.default for p in params}
                      for name, params in OPTIMIZERS.options.items()}


class KerasEvaluator(Evaluator):
    """Train each candidate with Keras 3 on TensorFlow and score it on held-out images.

    Settings are those of `evaluate keras`; `space` (a search space) turns architectures into
    descriptors and says which are outside it; `threads` caps TensorFlow's threads in this
    process (default: every core); `jit_compile` compiles training steps with XLA;
    `split_seed` draws the search split."""

    parameters: ClassVar = (
        Param("dataset", DATASET, "fashion_mnist",
              f"{', '.join(DATASETS)}, or npz(\"path\")"),
        Param("epochs", IntType(1, MAX_EPOCHS), 10, "training epochs per candidate"),
        Param("batch_size", IntType(1, MAX_BATCH), 128),
        Param("optimizer", OPTIMIZERS, DEFAULT_OPTIMIZER),
        Param("validation", NumberType(0.0, 1.0, lo_open=True, hi_open=True), 0.1,
              "fraction of the training set held out to score fitness"),
        Param("subset", OneOf((IntType(1), NumberType(0.0, 1.0, lo_open=True))), 1.0,
              "fraction (float) or count (integer) of the training set"),
        Param("fitness", NameType(accuracies(OFFERS), "metric"), "validation_accuracy"),
        Param("stem", IntType(1, MAX_CHANNELS), 128, "stem channels around a cell space"),
        Param("stacks", IntType(1, MAX_STACKS), 3, "stacks around a cell space"),
        Param("cells", IntType(1, MAX_STACKS), 3, "cells per stack around a cell space"),
        Param("data", StringType("a string (a folder)", _folder_problem), None,
              "folder holding the dataset's files; default: found automatically"),
        Param("mixed_precision", BoolType(), False, "float16 compute on a GPU"),
        objectives_param(OFFERS),
    )
    expensive: ClassVar[bool] = True
    offers: ClassVar[tuple[str, ...]] = OFFERS
    reuse_results: ClassVar[bool] = True
    wants_space: ClassVar[bool] = True
    continues: ClassVar[bool] = True
    """A multi-fidelity search's promoted candidate continues its parent's training."""

    @classmethod
    def fidelities(cls, settings: Mapping[str, Any]) -> None:
        """Any number of epochs from 1 to `epochs` (the highest fidelity)."""
        return None

    def __init__(self, dataset: Any = "fashion_mnist", epochs: int = 10, batch_size: int = 128,
                 optimizer: Any = DEFAULT_OPTIMIZER, validation: float = 0.1,
                 subset: float | int = 1.0, fitness: str = "validation_accuracy",
                 stem: int = 128, stacks: int = 3, cells: int = 3, data: str | None = None,
                 mixed_precision: bool = False, objectives: Any = None, *, space: Any = None, threads: int | None = None,
                 jit_compile: bool = False, split_seed: int = 0, seed: int = 0,
                 download: bool = True):
        within_bounds(self.parameters, {"epochs": epochs, "batch_size": batch_size, "stem": stem,
                                        "stacks": stacks, "cells": cells})
        self.dataset = dataset
        self.epochs = int(epochs)
        self.batch_size = int(batch_size)
        self.optimizer = _optimizer_call(optimizer)
        self.validation = float(validation)
        self.subset = subset
        self.objectives = objectives_of({"objectives": objectives})
        self.fitness = self.objectives[0].metric if self.objectives else fitness
        self.scores_test = self.fitness == "test_accuracy" or any(
            o.metric in ("test_accuracy", "test_loss") for o in self.objectives)
        self.stem, self.stacks, self.cells = int(stem), int(stacks), int(cells)
        self.data = None if data is None else str(data)
        self.mixed_precision = bool(mixed_precision)
        self.space = space
        self.threads = threads
        self.jit_compile = bool(jit_compile)
        self.split_seed = int(split_seed)
        self.seed = int(seed)
        self.download = download
        self._split: Any = None

    @classmethod
    def validate(cls, review: Review) -> None:
        """The cell skeleton doubles its channels at every stack: the widest stack,
        `stem` × 2^(`stacks` − 1), is held to `MAX_CHANNELS` too (a global space uses
        neither); `objectives` excludes `fitness`."""
        check_objectives(review)
        if review.space is not None and review.space.kind != "cell":
            return
        stem, stacks = review.values["stem"], review.values["stacks"]
        widest = stem << (stacks - 1)
        if widest > MAX_CHANNELS:
            key = "stem" if "stem" in review.written and "stacks" not in review.written \
                else "stacks"
            raise SettingError(f"the widest stack would have {widest:,} channels (`stem` "
                               f"{stem} × 2^({stacks} − 1)); nasdsl trains at most "
                               f"{MAX_CHANNELS:,}", key)

    @classmethod
    def data_problems(cls, settings: Mapping[str, Any], budget: Budget,
                      written: frozenset[str] | None = None) -> list[str]:
        problem = data_problem(settings)
        return [problem] if problem else []

    @classmethod
    def fetch_data(cls, settings: Mapping[str, Any]) -> list[str]:
        """`nasdsl run`'s data stage: download the dataset when it is found nowhere here
        (`data_problems`, which `check` also runs, never downloads); why it failed, if so."""
        if not keras_installed():
            return []  # the data checks say so
        from nasdsl.training.datasets import load_dataset

        try:
            load_dataset(settings.get("dataset", "fashion_mnist"), settings.get("data"),
                         download=True)
        except DataError as e:
            return [str(e)]
        return []

    @classmethod
    def data_identity(cls, settings: Mapping[str, Any]) -> dict[str, Any] | None:
        from nasdsl.training.datasets import dataset_identity

        return dataset_identity(settings.get("dataset", "fashion_mnist"))

    def __getstate__(self) -> dict[str, Any]:
        """Settings only: a worker process loads the data itself."""
        state = dict(self.__dict__)
        state["_split"] = None
        return state

    @property
    def metrics(self) -> tuple[str, ...]:
        extra = ("test_accuracy", "test_loss") if self.scores_test else ()
        return METRICS + extra

    # --- data ------------------------------------------------------------------------------
    def load(self) -> Any:
        """The dataset (DataError naming where it looked when it cannot be found)."""
        from nasdsl.training.datasets import load_dataset

        return load_dataset(self.dataset, self.data, self.download)

    def split(self) -> Any:
        if self._split is None:
            from nasdsl.training.split import search_split

            self._split = search_split(self.load(), self.validation, self.subset,
                                       self.split_seed)
        return self._split

    # --- the evaluator contract -------------------------------------------------------------
    def evaluate(self, x: Any, seed: int | None = None) -> Result:
        """Train `x` for `epochs` epochs; or, given a `Trial`, to its epochs, first
        restoring the training its `state` ended with. A Trial below `epochs` returns the
        state its training ended with, for a promotion to continue."""
        arch, epochs, start, state = _trial(x, self.epochs)
        if epochs < 1 or epochs > self.epochs:
            return Result.failed(f"asked for {epochs} epochs; this evaluator trains 1 to "
                                 f"{self.epochs}")
        descriptor, reason = self._descriptor(arch)
        if descriptor is None:
            return Result.invalid(reason or "not an architecture")
        split = self.split()
        scoring = [("validation", split.x_validation, split.y_validation)]
        if self.scores_test:
            data = self.load()
            scoring.append(("test", data.x_test, data.y_test))
        return self._train(descriptor, split.x_train, split.y_train, epochs, scoring,
                           self.seed if seed is None else seed,
                           resume=(start, state) if state is not None else None,
                           keep_state=x is not arch and epochs < self.epochs)

    def shape_counts(self, x: Any) -> dict[str, float]:
        """The trainable parameters and FLOPs of `x`'s network on this dataset, from the
        built (untrained) model: the builder's counts, which a training reports too; empty
        for an architecture that cannot be built."""
        from nasdsl.quiet_tensorflow import keras
        from nasdsl.training.builder import build_model, count_flops, trainable_parameters
        from nasdsl.training.shapes import ShapeError

        descriptor, _ = self._descriptor(x)
        if descriptor is None:
            return {}
        data = self.load()
        keras.backend.clear_session()
        try:
            model = build_model(descriptor, data.input_shape, data.classes, stem=self.stem,
                                stacks=self.stacks, cells=self.cells)
        except ShapeError:
            return {}
        return {"parameters": float(trainable_parameters(model)),
                "flops": float(count_flops(model))}

    @classmethod
    def cheap_function(cls, settings: Mapping[str, Any], space: Any = None) -> Any:
        """Parameters and FLOPs from the network's shape (a model built, never trained),
        remembered per architecture."""
        return _ShapeCounts(cls(**dict(settings), space=space, download=False))

    def retrain(self, x: Any, epochs: int, seed: int, save_to: Path | None = None) -> Result:
        """From scratch on the whole training set for `epochs`, scored on the test set
        (fitness: test accuracy); the model is saved to `save_to` (a `.keras` file)."""
        descriptor, reason = self._descriptor(x)
        if descriptor is None:
            return Result.invalid(reason or "not an architecture")
        data = self.load()
        return self._train(descriptor, data.x_train, data.y_train, int(epochs),
                           [("test", data.x_test, data.y_test)], seed, fitness="test_accuracy",
                           save_to=save_to)

    def descriptor_evaluate(self, descriptor: Any, epochs: int, data_percentage: float = 1,
                            untrained: bool = False, dataset: Any = None
                            ) -> tuple[float, dict[str, float], float]:
        """NORD's `LocalEvaluator` protocol: train `epochs` on `data_percentage` of the
        training set (none when `untrained`), score the held-out images; `dataset` names
        another dataset. Returns (validation loss, metrics with `accuracy`, seconds)."""
        from nasdsl.training.split import search_split

        start = time.perf_counter()
        other = self if dataset is None else _with(self, dataset=dataset)
        split = search_split(other.load(), other.validation, data_percentage, other.split_seed)
        result = other._train(descriptor, split.x_train, split.y_train,
                              0 if untrained else int(epochs),
                              [("validation", split.x_validation, split.y_validation)],
                              self.seed)
        if not result.ok:
            raise ValueError(f"{result.status}: {result.error}")
        metrics = dict(result.metrics)
        metrics["accuracy"] = metrics["validation_accuracy"]
        return metrics["validation_loss"], metrics, time.perf_counter() - start

    # --- one training ------------------------------------------------------------------------
    def _descriptor(self, x: Any) -> tuple[Any, str | None]:
        """(descriptor, None), or (None, why it is no architecture of the space)."""
        if hasattr(x, "layers") and hasattr(x, "connections"):
            return x, None
        if self.space is None:
            if hasattr(x, "matrix") and hasattr(x, "ops"):
                from nasdsl.descriptor import NeuralDescriptor

                return NeuralDescriptor.from_nasbench(*x.to_nasbench()), None
            return None, (f"cannot train a {type(x).__name__}: give a descriptor, or build the "
                          "evaluator with the space")
        reason = self.space.invalid_reason(x)
        if reason is not None:
            return None, reason
        return self.space.to_descriptor(x), None

    def _train(self, descriptor: Any, x: Any, y: Any, epochs: int,
               scoring: list[tuple[str, Any, Any]], seed: int, fitness: str | None = None,
               save_to: Path | None = None, resume: tuple[int, bytes] | None = None,
               keep_state: bool = False) -> Result:
        """Train to `epochs` in all (from the state `resume` = (epochs trained, state) when
        given), scoring the first of `scoring` after every epoch (the curve) and all of it
        at the end; with `keep_state`, the result carries the state training ended with."""
        from nasdsl.training import runtime

        runtime.configure(self.threads)
        from nasdsl.quiet_tensorflow import keras, tf

        from nasdsl.training import state as states
        from nasdsl.training.builder import build_model, count_flops, trainable_parameters
        from nasdsl.training.pipeline import epoch_data, scoring_data
        from nasdsl.training.shapes import ShapeError

        data = self.load()
        keras.backend.clear_session()
        keras.utils.set_random_seed(int(seed) % 2**32)
        order_seed = int(seed) % 2**31
        mixed = self.mixed_precision and runtime.gpu_available()
        policy = keras.mixed_precision.global_policy()
        if mixed:
            keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            model = build_model(descriptor, data.input_shape, data.classes, stem=self.stem,
                                stacks=self.stacks, cells=self.cells)
        except ShapeError as e:
            return Result.invalid(str(e))
        finally:
            if mixed:
                keras.mixed_precision.set_global_policy(policy)
        try:
            model.compile(optimizer=_keras_optimizer(self.optimizer),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                          jit_compile=self.jit_compile)
            first = 0
            if resume is not None:
                try:
                    ended = states.restore(model, resume[1])
                except states.StateError as e:
                    return Result.failed(f"cannot continue: {e}")
                if ended.epochs != resume[0] or ended.epochs >= epochs:
                    return Result.failed(
                        f"cannot continue: the saved state is of a training that ended after "
                        f"{count(ended.epochs, 'epoch')}; asked to continue from {resume[0]} "
                        f"to {epochs}")
                first, order_seed = ended.epochs, ended.seed
            metrics: dict[str, Any] = {}
            curve: list[list[float]] = []
            seconds = 0.0
            name, xs, ys = scoring[0]
            scored = scoring_data(xs, ys)
            last: tuple[float, float] | None = None
            for epoch in range(first, epochs):
                start = time.perf_counter()
                history = model.fit(epoch_data(x, y, self.batch_size, order_seed, epoch),
                                    initial_epoch=epoch, epochs=epoch + 1, verbose=0,
                                    shuffle=False, callbacks=[keras.callbacks.TerminateOnNaN()])
                seconds += time.perf_counter() - start
                losses = history.history.get("loss", [])
                if not losses or not math.isfinite(losses[-1]):
                    return Result.failed(f"the training loss became "
                                         f"{losses[-1] if losses else 'NaN'} in epoch "
                                         f"{epoch + 1} of {epochs} (diverged)")
                metrics["train_loss"] = float(losses[-1])
                metrics["train_accuracy"] = float(history.history["accuracy"][-1])
                loss, accuracy = model.evaluate(scored, verbose=0)
                last = (float(loss), float(accuracy))
                curve.append([epoch + 1, last[1], last[0]])
            for i, (name, xs, ys) in enumerate(scoring):
                if i == 0 and last is not None:
                    loss, accuracy = last
                else:
                    loss, accuracy = model.evaluate(scoring_data(xs, ys), verbose=0)
                metrics[f"{name}_loss"] = float(loss)
                metrics[f"{name}_accuracy"] = float(accuracy)
            metrics["training_time"] = seconds
            metrics["parameters"] = trainable_parameters(model)
            metrics["flops"] = count_flops(model)
            if curve:
                metrics[CURVE] = curve
            if save_to is not None:
                _save(model, Path(save_to))
            state = states.pack(model, epochs, order_seed) if keep_state else None
        except (tf.errors.ResourceExhaustedError, MemoryError) as e:
            text = str(getattr(e, "message", None) or e or type(e).__name__)
            return Result.failed(f"out of memory: {text.splitlines()[0]}")
        fitness_value = metrics.get(fitness or self.fitness)
        if fitness_value is None or not math.isfinite(fitness_value):
            return Result.failed(f"no finite {fitness or self.fitness} after training")
        return Result(fitness=float(fitness_value), metrics=metrics, cost_seconds=seconds,
                      state=state)


def _trial(x: Any, top: int) -> tuple[Any, int, int, bytes | None]:
    """(architecture, epochs in all, epochs already trained, state) of what `evaluate` got:
    a `Trial`, or an architecture to train for the highest fidelity `top`."""
    if isinstance(x, Trial):
        return x.arch, int(x.epochs), int(x.start) if x.state is not None else 0, x.state
    return x, int(top), 0, None


def _save(model: Any, path: Path) -> None:
    """Written under a temporary name of its own first (never a name somebody else's file
    has): a kill never leaves a half file in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.keras", dir=path.parent)
    os.close(fd)
    try:
        model.save(part)
        os.replace(part, path)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _with(evaluator: KerasEvaluator, **changes: Any) -> KerasEvaluator:
    other = object.__new__(KerasEvaluator)
    other.__dict__.update(evaluator.__getstate__())
    other.__dict__.update(changes)
    return other


def _optimizer_call(value: Any) -> Call:
    """`adam(…)`, a name, or a mapping {"name": …, args…} as a Call with defaults filled."""
    if isinstance(value, Call):
        name, args = value.name, dict(value.args)
    elif isinstance(value, str):
        name, args = value, {}
    elif isinstance(value, Mapping) and "call" in value:
        name, args = value["call"], dict(value.get("args") or {})
    else:
        raise ValueError(f"optimizer {value!r}: write adam(…), sgd(…) or rmsprop(…)")
    if name not in OPTIMIZER_DEFAULTS:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZER_DEFAULTS)}")
    unknown = set(args) - set(OPTIMIZER_DEFAULTS[name])
    if unknown:
        raise ValueError(f"{name} takes {', '.join(OPTIMIZER_DEFAULTS[name])}, "
                         f"not {', '.join(sorted(unknown))}")
    return Call(name, {**OPTIMIZER_DEFAULTS[name], **args})


def _keras_optimizer(call: Call) -> Any:
    from nasdsl.quiet_tensorflow import keras

    args = dict(call.args)
    if call.name == "adam":
        return keras.optimizers.Adam(learning_rate=args["learning_rate"])
    if call.name == "sgd":
        return keras.optimizers.SGD(learning_rate=args["learning_rate"],
                                    momentum=args["momentum"])
    return keras.optimizers.RMSprop(learning_rate=args["learning_rate"], rho=args["rho"])


def keras_installed() -> bool:
    """TensorFlow and Keras importable here (checked without importing them)."""
    from importlib.util import find_spec

    return find_spec("keras") is not None and find_spec("tensorflow") is not None


def data_problem(settings: Mapping[str, Any]) -> str | None:
    """The data check: None when Keras is here, the dataset loads and the split is
    possible. Nothing is downloaded (`check` opens no connection): a dataset found nowhere
    is a problem saying what `nasdsl run` would fetch, and from where."""
    if not keras_installed():
        return KERAS_MISSING
    from nasdsl.training.datasets import load_dataset
    from nasdsl.training.split import search_split

    try:
        dataset = load_dataset(settings.get("dataset", "fashion_mnist"), settings.get("data"),
                               download=False)
        search_split(dataset, float(settings.get("validation", 0.1)),
                     settings.get("subset", 1.0))
    except DataError as e:
        return str(e)
    return None


class _ShapeCounts:
    """`arch -> {parameters, flops}` of a Keras evaluator, each architecture built once."""

    def __init__(self, evaluator: KerasEvaluator):
        self.evaluator = evaluator
        self._memo: dict[str, dict[str, float]] = {}

    def __call__(self, x: Any) -> dict[str, float]:
        space = self.evaluator.space
        key = str(space.key(x)) if space is not None else repr(x)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self.evaluator.shape_counts(x)
        return found
