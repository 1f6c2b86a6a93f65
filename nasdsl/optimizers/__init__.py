"""Search algorithms, each one class with `search(evaluate_batch, budget, rng)`.

`make_optimizer` builds the class the registry (`nasdsl.registry`) has for a language name
(or the record it resolved the name into), with a search block's settings. Classes are imported on first use, so an algorithm whose
dependencies are missing costs nothing until it is asked for.
"""
from __future__ import annotations

from typing import Any, Mapping

from nasdsl.optimizers.base import BudgetMeter, Evaluation, History, Optimizer
from nasdsl.optimizers.evolution import RegularizedEvolution
from nasdsl.evaluation.memory import MemoryEvaluateBatch
from nasdsl.optimizers.random_search import RandomSearch
from nasdsl.component import Component
from nasdsl.registry import names, resolve
from nasdsl.settings import SettingError
from nasdsl.spaces.base import Space

# Settings the plan may carry that are not the algorithm's own.
_NOT_ALGORITHM_SETTINGS = frozenset({"budget"})


def make_optimizer(algorithm: str | Component, space: Space,
                   settings: Mapping[str, Any]) -> Optimizer:
    """The optimizer for a language name (or `"module:Class"`, or the record the registry
    resolved it into), built with the search block's settings. Raises `ComponentError` for
    an algorithm unknown or not available here (with the accepted names) and `SettingError`
    for a setting the algorithm refuses.
    """
    component = algorithm if isinstance(algorithm, Component) else \
        resolve("optimizer", algorithm)
    component.unknown_settings(own_settings(settings), f"search {component.name}")
    return build_optimizer(component, space, settings)


def build_optimizer(component: Component, space: Space,
                    settings: Mapping[str, Any]) -> Optimizer:
    """The search of a record whose settings were checked (by the language, or by
    `plan_problems` for a plan built in Python): what a run builds. SettingError when its
    constructor refuses them."""
    try:
        return component.obj(space, **own_settings(settings))
    except (TypeError, ValueError) as e:
        raise SettingError(f"search {component.name}: {e}") from e


def own_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A search block's settings less those that are not the algorithm's (`budget`)."""
    return {k: v for k, v in settings.items() if k not in _NOT_ALGORITHM_SETTINGS}


def __getattr__(name: str) -> Any:
    if name == "ALGORITHMS":  # every algorithm name, pygmo's as `pygmo.NAME`
        return tuple(names("optimizer", families=False))
    if name == "PygmoSearch":  # imported on first use: pygmo loads a large library
        from nasdsl.optimizers.pygmo_search import PygmoSearch

        return PygmoSearch
    if name == "NASProblem":
        from nasdsl.optimizers.pygmo_problem import NASProblem

        return NASProblem
    raise AttributeError(name)


__all__ = [
    "ALGORITHMS", "BudgetMeter", "Evaluation", "History", "MemoryEvaluateBatch", "NASProblem",
    "Optimizer", "PygmoSearch", "RandomSearch", "RegularizedEvolution", "build_optimizer",
    "make_optimizer",
]
