"""How the runner turns plan specs into objects: the registry's records by default."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from nasdsl.plan import Budget, EvaluatorSpec, SpaceSpec


def registry_space(spec: SpaceSpec) -> Any:
    from nasdsl.spaces import make_space

    return make_space(spec)


def registry_evaluator(spec: EvaluatorSpec, space: SpaceSpec | None = None) -> Any:
    from nasdsl.evaluators import make_evaluator

    if space is None:
        return make_evaluator(spec)
    built = registry_space(space)
    return make_evaluator(spec, to_descriptor=built.to_descriptor, space=built)


def registry_optimizer(algorithm: Any, space: Any, settings: Mapping[str, Any]) -> Any:
    """`algorithm`: a name (its settings checked here), or the record a plan keeps (its
    settings checked once already, by the language or by `plan_problems`)."""
    from nasdsl.optimizers import build_optimizer, make_optimizer

    if isinstance(algorithm, str):
        return make_optimizer(algorithm, space, settings)
    return build_optimizer(algorithm, space, settings)


def registry_data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    from nasdsl.evaluators import data_problems

    return list(data_problems(spec, budget))


def registry_fetch_data(spec: EvaluatorSpec) -> list[str]:
    from nasdsl.evaluators import fetch_data

    return list(fetch_data(spec))


def registry_fidelities(spec: EvaluatorSpec) -> Any:
    from nasdsl.evaluators import fidelities

    return fidelities(spec)


def registry_data_identity(spec: EvaluatorSpec) -> dict[str, Any] | None:
    from nasdsl.evaluators import data_identity

    return data_identity(spec)


@dataclass(frozen=True)
class Components:
    """The factories the runner builds spaces, evaluators and optimizers with: the registry's
    by default. Module-level callables only, so worker processes can receive them.

    `space(spec)` builds each space once per process and keeps it (spaces are stateless
    apart from their own memos); the kept spaces are not pickled."""

    make_space: Callable[[SpaceSpec], Any] = registry_space
    make_evaluator: Callable[..., Any] = registry_evaluator
    """`(evaluator spec[, space spec]) -> evaluator`."""
    make_optimizer: Callable[[Any, Any, Mapping[str, Any]], Any] = registry_optimizer
    """`(algorithm name or record, space, settings) -> optimizer`."""
    data_problems: Callable[[EvaluatorSpec, Budget], list[str]] = registry_data_problems
    data_identity: Callable[[EvaluatorSpec], "dict[str, Any] | None"] = registry_data_identity
    """Which stored data answers an evaluator (kept with each run in the journal)."""
    fetch_data: Callable[[EvaluatorSpec], list[str]] = registry_fetch_data
    """`run`'s downloads before the data checks: why one failed (empty: fine)."""
    fidelities: Callable[[EvaluatorSpec], Any] = registry_fidelities
    """What an evaluator serves a multi-fidelity search (`Fidelities`), or None."""
    _spaces: dict[str, Any] = field(default_factory=dict, init=False, compare=False,
                                    repr=False)

    def space(self, spec: SpaceSpec) -> Any:
        token = repr(spec)
        space = self._spaces.get(token)
        if space is None:
            space = self._spaces[token] = self.make_space(spec)
        return space

    def __getstate__(self) -> dict[str, Any]:
        return {"make_space": self.make_space, "make_evaluator": self.make_evaluator,
                "make_optimizer": self.make_optimizer, "data_problems": self.data_problems,
                "data_identity": self.data_identity, "fetch_data": self.fetch_data,
                "fidelities": self.fidelities}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in {**state, "_spaces": {}}.items():
            object.__setattr__(self, key, value)
