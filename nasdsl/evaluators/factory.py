"""Plan specs -> evaluators, through the registry; and each evaluator's data checks."""
from __future__ import annotations

from typing import Any, Callable

from nasdsl.errors import DataError
from nasdsl.evaluators.base import Evaluator
from nasdsl.plan import Budget, EvaluatorSpec
from nasdsl.registry import ComponentError, lookup
from nasdsl.settings import with_defaults


def evaluator_class(kind: str) -> Any:
    """The registered evaluator class of `kind`; DataError when there is none here."""
    try:
        return lookup("evaluator", kind)
    except ComponentError as e:
        raise DataError(e.message) from e


def make_evaluator(spec: EvaluatorSpec,
                   to_descriptor: Callable[[Any], Any] | None = None) -> Evaluator:
    """Build the evaluator a plan asks for. `to_descriptor` (the space's) lets a NORD-style
    Python evaluator receive descriptors."""
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
    cls = evaluator_class(spec.kind)
    return cls(**with_defaults(cls, spec.settings))


def data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """The data checks of one evaluator: sentences naming what is missing and what the data
    does hold; empty when the data can serve the plan."""
    if spec.kind == "python":
        return []
    try:
        cls = evaluator_class(spec.kind)
    except DataError as e:
        return [str(e)]
    check = getattr(cls, "data_problems", None)
    return list(check(spec.settings, budget)) if check is not None else []
