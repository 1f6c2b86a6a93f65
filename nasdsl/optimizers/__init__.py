"""Search algorithms, each one class with `search(evaluate_batch, budget, rng)`.

`make_optimizer` maps the language's algorithm names to classes. Classes are imported on
first use, so an algorithm whose dependencies are missing costs nothing until it is asked for.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any, Mapping

from nasdsl.errors import DslError
from nasdsl.optimizers.base import BudgetMeter, Evaluation, History, Optimizer
from nasdsl.optimizers.evolution import RegularizedEvolution
from nasdsl.optimizers.memory import MemoryEvaluateBatch
from nasdsl.optimizers.random_search import RandomSearch
from nasdsl.spaces.base import Space

# DSL name -> "module:Class". `pygmo.NAME` is matched by its prefix.
_REGISTRY: dict[str, str] = {
    "random": "nasdsl.optimizers.random_search:RandomSearch",
    "regularized_evolution": "nasdsl.optimizers.evolution:RegularizedEvolution",
    "dqn": "nasdsl.optimizers.dqn:DQNSearch",
    "local_search": "nasdsl.optimizers.local_search:LocalSearch",
    "bananas": "nasdsl.optimizers.bananas:Bananas",
}
_PYGMO = "nasdsl.optimizers.pygmo_search:PygmoSearch"
ALGORITHMS: tuple[str, ...] = (*_REGISTRY, "pygmo.NAME")
# Settings the plan may carry that are not the algorithm's own.
_NOT_ALGORITHM_SETTINGS = frozenset({"budget"})


def _load(algorithm: str, target: str) -> type[Optimizer]:
    module, _, name = target.partition(":")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as e:
        raise DslError(f"algorithm {algorithm!r} is not available here: {e}",
                       accepted=ALGORITHMS) from e


def make_optimizer(algorithm: str, space: Space, settings: Mapping[str, Any]) -> Optimizer:
    """The optimizer for a DSL algorithm name, built with the search block's settings.

    Raises `DslError` for an unknown algorithm or a setting the algorithm refuses.
    """
    own = {k: v for k, v in settings.items() if k not in _NOT_ALGORITHM_SETTINGS}
    if algorithm.startswith("pygmo."):
        cls = _load(algorithm, _PYGMO)
        own = {"algorithm": algorithm.removeprefix("pygmo."), **own}
    elif algorithm in _REGISTRY:
        cls = _load(algorithm, _REGISTRY[algorithm])
    else:
        raise DslError(f"unknown algorithm {algorithm!r}", accepted=ALGORITHMS)
    try:
        return cls(space, **own)
    except (TypeError, ValueError) as e:
        raise DslError(f"search {algorithm}: {e}") from e


__all__ = [
    "ALGORITHMS", "BudgetMeter", "Evaluation", "History", "MemoryEvaluateBatch", "Optimizer",
    "RandomSearch", "RegularizedEvolution", "make_optimizer",
]
