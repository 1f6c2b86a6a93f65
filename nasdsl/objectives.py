"""Several objectives: what a multi-objective search compares, and the cheap ones it may know
before it pays for an evaluation.

A `.nas` file writes `objectives = [maximize(test_accuracy), minimize(parameters)]` in its
`evaluate` block; the plan keeps them as calls (`Call("maximize", {"metric": …})`) in the
evaluator's settings. Each evaluation keeps every objective's value in its metrics, under the
name the file wrote, so the journal needs no column of its own for them.

Searches compare objective vectors in **minimization form**: a maximized metric is negated,
so smaller is better on every axis (as pygmo and pymoo expect). A **cheap** objective is a
function of the architecture alone (parameters, FLOPs): `Objectives.cheap(arch)` gives its
value without an evaluation, and asking for it never spends budget.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Literal, Mapping, Sequence

from nasdsl.plan import Call
from nasdsl.result import Result

Sense = Literal["maximize", "minimize"]
SENSES: tuple[str, ...] = ("maximize", "minimize")
CHEAP_METRICS: tuple[str, ...] = ("parameters", "trainable_parameters", "flops")
"""Metrics that are functions of the architecture alone, wherever an evaluator offers them."""


@dataclass(frozen=True)
class Objective:
    """One objective: a metric of the evaluator and whether it is maximized or minimized."""

    metric: str
    sense: Sense

    @property
    def cheap(self) -> bool:
        return self.metric in CHEAP_METRICS

    def minimized(self, value: float) -> float:
        """The value in minimization form (a maximized metric negated)."""
        return -float(value) if self.sense == "maximize" else float(value)

    def __str__(self) -> str:
        return f"{self.sense}({self.metric})"


def objectives_of(settings: Mapping[str, Any]) -> tuple[Objective, ...]:
    """The objectives an evaluator's settings name (empty: a single-objective plan). Accepts
    the plan's calls and their JSON form (`{"call": "maximize", "args": {"metric": …}}`), so
    reports read them back from a journal."""
    written = settings.get("objectives") if settings else None
    out = []
    for item in written or ():
        if isinstance(item, Call):
            name, args = item.name, item.args
        elif isinstance(item, Mapping):
            name, args = item.get("call"), item.get("args") or {}
        else:
            continue
        if name in SENSES and isinstance(args.get("metric"), str):
            out.append(Objective(args["metric"], name))  # type: ignore[arg-type]
    return tuple(out)


CheapFunction = Callable[[Hashable], Mapping[str, float]]
"""An architecture's cheap objective values by metric name (no evaluation)."""


@dataclass(frozen=True)
class Objectives:
    """What a multi-objective search is told: the objectives, in the file's order, and how to
    know the cheap ones of an architecture before evaluating it (None: no cheap objective,
    or none known)."""

    items: tuple[Objective, ...]
    known: CheapFunction | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(o.metric for o in self.items)

    @property
    def cheap_names(self) -> tuple[str, ...]:
        """The objectives known before evaluation (those the evaluator can compute)."""
        return tuple(o.metric for o in self.items if o.cheap) if self.known else ()

    def vector(self, result: Result) -> tuple[float, ...] | None:
        """The result's objective values in minimization form; None for a result that is not
        ok or lacks a finite value of some objective (a search never prefers it)."""
        if result.status != "ok":
            return None
        out = []
        for o in self.items:
            value = result.metrics.get(o.metric)
            try:
                number = float(value)
            except (TypeError, ValueError):
                return None
            if not math.isfinite(number):
                return None
            out.append(o.minimized(number))
        return tuple(out)

    def cheap(self, arch: Hashable) -> dict[str, float]:
        """The cheap objectives' values of `arch` by metric (empty when none are known)."""
        if self.known is None:
            return {}
        values = self.known(arch)
        return {name: float(values[name]) for name in self.cheap_names if name in values}


def first_metric(settings: Mapping[str, Any]) -> str | None:
    """The metric the `fitness` column holds: the first objective's with `objectives`, else
    the evaluator's `fitness`."""
    items = objectives_of(settings)
    if items:
        return items[0].metric
    fitness = settings.get("fitness") if settings else None
    return fitness if isinstance(fitness, str) else None


def signs(items: Sequence[Objective]) -> tuple[float, ...]:
    """+1 for a minimized objective, -1 for a maximized one: a metric times its sign is in
    minimization form."""
    return tuple(-1.0 if o.sense == "maximize" else 1.0 for o in items)
