"""Search algorithms, each one class with `search(evaluate_batch, budget, rng)`.

`make_optimizer` builds the class the registry (`nasdsl.registry`) has for a language name,
with a search block's settings. Classes are imported on first use, so an algorithm whose
dependencies are missing costs nothing until it is asked for.
"""
from __future__ import annotations

from typing import Any, Mapping

from nasdsl.optimizers.base import BudgetMeter, Evaluation, History, Optimizer
from nasdsl.optimizers.evolution import RegularizedEvolution
from nasdsl.evaluation.memory import MemoryEvaluateBatch
from nasdsl.optimizers.random_search import RandomSearch
from nasdsl.registry import lookup, names
from nasdsl.settings import SettingError, parameters_of
from nasdsl.spaces.base import Space

# Settings the plan may carry that are not the algorithm's own.
_NOT_ALGORITHM_SETTINGS = frozenset({"budget"})


def make_optimizer(algorithm: str, space: Space, settings: Mapping[str, Any]) -> Optimizer:
    """The optimizer for a language name (or `"module:Class"`), built with the search block's
    settings. Raises `ComponentError` for an algorithm unknown or not available here (with
    the accepted names) and `SettingError` for a setting the algorithm refuses.
    """
    own = {k: v for k, v in settings.items() if k not in _NOT_ALGORITHM_SETTINGS}
    component = lookup("optimizer", algorithm)
    declared = parameters_of(component)
    for key in own:
        if key not in declared:
            raise SettingError(f"search {algorithm}: unknown setting {key!r}", key,
                               accepted=tuple(declared))
    try:
        return component(space, **own)
    except (TypeError, ValueError) as e:
        raise SettingError(f"search {algorithm}: {e}") from e


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
    "Optimizer", "PygmoSearch", "RandomSearch", "RegularizedEvolution", "make_optimizer",
]
