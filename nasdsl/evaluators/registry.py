"""DSL evaluator names -> evaluators, and the DSL's data checks for each kind."""
from __future__ import annotations

from typing import Any, Callable

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.evaluators.base import Evaluator
from nasdsl.plan import Budget, EvaluatorSpec

KINDS = ("nasbench101", "keras", "python")
KERAS_MISSING = "the Keras evaluator is not part of this version of nasdsl yet"
_NB101_DEFAULTS = {"fitness": "validation_accuracy", "repeats": "sample", "epochs": 108,
                   "report": ("test_accuracy", "training_time")}


def _nb101_settings(spec: EvaluatorSpec) -> dict[str, Any]:
    settings = {**_NB101_DEFAULTS, **dict(spec.settings)}
    settings["report"] = tuple(settings.get("report") or ())
    return settings


def make_evaluator(spec: EvaluatorSpec,
                   to_descriptor: Callable[[Any], Any] | None = None) -> Evaluator:
    """Build the evaluator a plan asks for. `to_descriptor` (the space's) lets a NORD-style
    Python evaluator receive descriptors."""
    if spec.kind == "nasbench101":
        from nasdsl.evaluators.nasbench101 import NASBench101Evaluator

        s = _nb101_settings(spec)
        return NASBench101Evaluator(data=s.get("data"), fitness=s["fitness"],
                                    repeats=s["repeats"], epochs=int(s["epochs"]),
                                    report=s["report"], seed=int(s.get("seed", 0)))
    if spec.kind == "python":
        from nasdsl.evaluators.python_target import DescriptorEvaluator, load_target

        if not spec.target:
            raise DataError("a Python evaluator needs a \"package.module:name\" target")
        obj = load_target(spec.target, spec.settings)
        if isinstance(obj, Evaluator):
            return obj
        if hasattr(obj, "descriptor_evaluate"):
            return DescriptorEvaluator(obj, to_descriptor)
        raise DataError(f"{spec.target} made a {type(obj).__name__}, which has neither "
                        "evaluate() nor descriptor_evaluate(descriptor, …)")
    if spec.kind == "keras":
        raise DataError(KERAS_MISSING)
    raise DataError(f"unknown evaluator {spec.kind!r}; known: {', '.join(KINDS)}")


def data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """The DSL's data checks for one evaluator: sentences naming what is missing and what
    the data does hold; empty when the data can serve the plan."""
    if spec.kind == "keras":
        return [KERAS_MISSING]
    if spec.kind != "nasbench101":
        return []
    from nasdsl.evaluators.nasbench101_checks import store_problems
    from nasdsl.store.nasbench101 import NASBench101Store

    s = _nb101_settings(spec)
    try:
        store = NASBench101Store.open(s.get("data"))
    except DamagedDataError:
        raise  # a damaged store stops everything (exit 1), it is not a setting to fix
    except DataError as e:
        return [str(e)]
    return store_problems(store, s["fitness"], s["report"], int(s["epochs"]),
                          time_budget=budget.unit == "seconds")
