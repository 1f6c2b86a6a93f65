"""`evaluate "package.module:name" { … }`: any evaluator written in Python.

The target (resolved by the registry like any other name) is called with the block's
settings as keyword arguments. An object that already is an `Evaluator` is used as it is;
one that only speaks NORD's `descriptor_evaluate(descriptor, …)` is wrapped here, with the
space's `to_descriptor` turning each architecture into the descriptor it expects.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class DescriptorEvaluator(Evaluator):
    """Wraps an object with NORD's `descriptor_evaluate` into an `Evaluator`.

    Reads both NORD return shapes: `(accuracy, time)` (BenchmarkEvaluator) and
    `(loss, metrics, time)` (LocalEvaluator; fitness is `metrics[fitness]`, else
    `metrics['accuracy']`, else minus the loss). Exceptions become failed Results.
    """

    def __init__(self, inner: Any, to_descriptor: Callable[[Any], Any] | None = None,
                 fitness: str = "validation_accuracy", **call_kwargs: Any):
        self.inner = inner
        self.to_descriptor = to_descriptor
        self.fitness = fitness
        self.call_kwargs = call_kwargs

    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.fitness,)

    def evaluate(self, x: Any, seed: int | None = None) -> Result:
        try:
            descriptor = self.to_descriptor(x) if self.to_descriptor is not None else x
            out = self.inner.descriptor_evaluate(descriptor, **self.call_kwargs)
        except Exception as e:  # an evaluation that broke is a result, never fatal
            return Result.failed(f"{type(e).__name__}: {e}")
        return self._read(out)

    def _read(self, out: Any) -> Result:
        if isinstance(out, tuple) and len(out) == 3 and isinstance(out[1], Mapping):
            loss, metrics, seconds = out
            metrics = {k: _plain(v) for k, v in metrics.items()}
            metrics["loss"] = _plain(loss)
            value = metrics.get(self.fitness, metrics.get("accuracy"))
            fitness = _plain(value) if value is not None else -float(loss)
        elif isinstance(out, tuple) and len(out) == 2:
            fitness, seconds = _plain(out[0]), out[1]
            metrics = {self.fitness: fitness}
        else:
            fitness, seconds, metrics = _plain(out), 0.0, {self.fitness: _plain(out)}
        if fitness is None or (isinstance(fitness, float) and math.isnan(fitness)):
            return Result.failed("the evaluator returned no fitness")
        return Result(fitness=float(fitness), metrics=metrics, cost_seconds=float(seconds or 0.0))


def _plain(v: Any) -> Any:
    """numpy scalars -> Python numbers, so results serialize."""
    return v.item() if hasattr(v, "item") else v
