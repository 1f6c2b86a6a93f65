"""Plan specs -> evaluators, through the registry's records; and each evaluator's data checks."""
from __future__ import annotations

from typing import Any, Callable

from nasdsl.component import Component
from nasdsl.errors import DataError
from nasdsl.evaluation.fidelity import Fidelities
from nasdsl.evaluators.base import Evaluator
from nasdsl.plan import Budget, EvaluatorSpec
from nasdsl.registry import ComponentError, evaluator_of


def evaluator_component(spec: EvaluatorSpec) -> Component:
    """The record of the evaluator `spec` names; DataError when there is none here."""
    try:
        return evaluator_of(spec)
    except ComponentError as e:
        raise DataError(e.message) from e


def wants_space(spec: EvaluatorSpec) -> bool:
    """Whether the evaluator of `spec` is built knowing the search space (see
    `Component.describes_space`)."""
    try:
        return evaluator_component(spec).describes_space
    except DataError:
        return False


def make_evaluator(spec: EvaluatorSpec,
                   to_descriptor: Callable[[Any], Any] | None = None,
                   space: Any = None) -> Evaluator:
    """Build the evaluator a plan asks for. `to_descriptor` (the space's) lets a NORD-style
    Python evaluator receive descriptors; `space` (the built search space) goes to a class
    that `wants_space`."""
    component = evaluator_component(spec)
    settings = component.settings(spec.settings, spec.written)
    if space is not None and component.wants_space:
        settings["space"] = space
    built = component.obj(**settings)
    if isinstance(built, Evaluator) or not component.target:
        return built
    if hasattr(built, "descriptor_evaluate"):
        from nasdsl.evaluators.python_target import DescriptorEvaluator

        return DescriptorEvaluator(built, to_descriptor)
    raise DataError(f"{spec.name} made a {type(built).__name__}, which has neither "
                    "evaluate() nor descriptor_evaluate(descriptor, …)")


def data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """The data checks of one evaluator: sentences naming what is missing and what the data
    does hold; empty when the data can serve the plan."""
    try:
        component = evaluator_component(spec)
    except DataError as e:
        return [str(e)]
    return list(component.data_check("data_problems", spec.settings, budget, spec.written, ()))


def fetch_data(spec: EvaluatorSpec) -> list[str]:
    """`nasdsl run`'s data stage: the evaluator fetches what it must download (its optional
    `fetch_data(settings)`); sentences saying why that failed, empty when it did not."""
    try:
        return evaluator_component(spec).fetch_data(spec.settings)
    except DataError:
        return []  # the data checks say so


def data_notes(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    """What the data changes in the evaluator's defaulted settings (for `nasdsl check`)."""
    try:
        component = evaluator_component(spec)
    except DataError:
        return []
    return list(component.data_check("data_notes", spec.settings, budget, spec.written, ()))


def data_settings(spec: EvaluatorSpec, budget: Budget) -> dict[str, Any]:
    """The evaluator's defaulted settings the data changes, as a run will use them."""
    try:
        component = evaluator_component(spec)
    except DataError:
        return {}
    return dict(component.data_check("data_settings", spec.settings, budget, spec.written, {}))


def data_identity(spec: EvaluatorSpec) -> dict[str, Any] | None:
    """Which stored data answers this evaluator (see `Evaluator.data_identity`), or None."""
    try:
        return evaluator_component(spec).data_identity(spec.settings)
    except DataError:
        return None


def fidelities(spec: EvaluatorSpec) -> Fidelities | None:
    """What the evaluator serves to a multi-fidelity search (its `fidelities` hook and
    `continues` flag), or None when it serves no fidelities."""
    try:
        component = evaluator_component(spec)
    except DataError:
        return None
    offered = component.hook("fidelities")
    if offered is None:
        return None
    top = component.settings(spec.settings).get("epochs", component.declared("epochs"))
    if top is None:  # the constructor's default
        top = component.default_argument("epochs")
    if not isinstance(top, int):
        return None
    served = offered(spec.settings)
    return Fidelities(int(top), None if served is None else tuple(served),
                      bool(component.declared("continues")))
