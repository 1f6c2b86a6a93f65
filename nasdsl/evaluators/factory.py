"""Plan specs -> evaluators, through the registry; and each evaluator's data checks."""
from __future__ import annotations

import inspect
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


def wants_space(spec: EvaluatorSpec) -> bool:
    """Whether the evaluator of `spec` is built with the search space: a Python target (to
    receive descriptors) or a class that says so (`Evaluator.wants_space`)."""
    if spec.kind == "python":
        return True
    try:
        return bool(getattr(evaluator_class(spec.kind), "wants_space", False))
    except DataError:
        return False


def make_evaluator(spec: EvaluatorSpec,
                   to_descriptor: Callable[[Any], Any] | None = None,
                   space: Any = None) -> Evaluator:
    """Build the evaluator a plan asks for. `to_descriptor` (the space's) lets a NORD-style
    Python evaluator receive descriptors; `space` (the built search space) goes to a class
    that `wants_space`."""
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
    if space is not None and getattr(cls, "wants_space", False):
        return cls(**_settings(cls, spec), space=space)
    return cls(**_settings(cls, spec))


def _settings(cls: Any, spec: EvaluatorSpec) -> dict[str, Any]:
    """The spec's settings with every declared default, less the data-dependent defaults the
    file did not write (the constructor's own default, which looks at the data, applies)."""
    settings = with_defaults(cls, spec.settings)
    for key in getattr(cls, "data_defaults", ()):
        if spec.written is not None and key not in spec.written:
            settings.pop(key, None)
    return settings


def data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """The data checks of one evaluator: sentences naming what is missing and what the data
    does hold; empty when the data can serve the plan."""
    return list(_data_check(spec, budget, "data_problems", errors=True))


def fetch_data(spec: EvaluatorSpec) -> list[str]:
    """`nasdsl run`'s data stage: the evaluator fetches what it must download (its optional
    `fetch_data(settings)`); sentences saying why that failed, empty when it did not."""
    if spec.kind == "python":
        return []
    try:
        cls = evaluator_class(spec.kind)
    except DataError:
        return []  # the data checks say so
    fetch = getattr(cls, "fetch_data", None)  # a user's class may not derive from Evaluator
    return list(fetch(spec.settings)) if fetch is not None else []


def data_notes(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """What the data changes in the evaluator's defaulted settings (for `nasdsl check`)."""
    return list(_data_check(spec, budget, "data_notes", errors=False))


def data_settings(spec: EvaluatorSpec, budget: Budget) -> dict[str, Any]:
    """The evaluator's defaulted settings the data changes, as a run will use them."""
    return dict(_data_check(spec, budget, "data_settings", errors=False, empty={}))


def _data_check(spec: EvaluatorSpec, budget: Budget, method: str, errors: bool,
                empty: Any = ()) -> Any:
    if spec.kind == "python":
        return empty
    try:
        cls = evaluator_class(spec.kind)
    except DataError as e:
        return [str(e)] if errors else empty
    check = getattr(cls, method, None)
    if check is None:
        return empty
    try:
        takes_written = "written" in inspect.signature(check).parameters
    except (TypeError, ValueError):
        takes_written = False
    if takes_written:
        return check(spec.settings, budget, written=spec.written)
    return check(spec.settings, budget)


def data_identity(spec: EvaluatorSpec) -> dict[str, Any] | None:
    """Which stored data answers this evaluator (see `Evaluator.data_identity`), or None."""
    if spec.kind == "python":
        return None
    try:
        cls = evaluator_class(spec.kind)
    except DataError:
        return None
    identify = getattr(cls, "data_identity", None)
    return identify(spec.settings) if identify is not None else None


def cheap_function(spec: EvaluatorSpec, space: Any = None) -> Any:
    """How the evaluator of `spec` knows an architecture's cheap objectives without
    evaluating it (`Evaluator.cheap_function`), or None when it knows none."""
    if spec.kind == "python":
        return None
    cls = evaluator_class(spec.kind)
    make = getattr(cls, "cheap_function", None)
    if make is None:
        return None
    return make(_settings(cls, spec), space)
