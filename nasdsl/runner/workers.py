"""How many worker processes a run starts on this machine: no more than there is work for.

`run { workers = N }` is an upper bound, not an order: table lookups send whole runs to
workers, so more workers than runs would idle (and one run is simply run here); training
spreads each run's candidates, so more workers than a run's evaluation budget would idle (a
time budget sets no such cap). `check` says the same number the run starts.
"""
from __future__ import annotations

import importlib
from typing import Any, Iterable

from nasdsl.plan import Budget, EvaluatorSpec, Plan


def workers_to_start(workers: int, expensive: bool, runs: int,
                     budgets: Iterable[Budget]) -> int:
    """Worker processes for `runs` runs with these budgets: 0 means evaluations run in this
    process. Lookups (`expensive` False) take one worker per run; training, at most the
    largest evaluation budget of a run."""
    if workers <= 1:
        return 0
    if not expensive:
        return min(workers, runs) if runs > 1 else 0
    budgets = list(budgets)
    if not budgets or any(b.unit != "evaluations" for b in budgets):
        return workers
    most = min(workers, int(max(b.amount for b in budgets)))
    return most if most > 1 else 0


def plan_workers(plan: Plan) -> int:
    """What `workers_to_start` gives for every run of `plan` (none with a cluster)."""
    if plan.execution.cluster is not None or not plan.configs:
        return 0
    return workers_to_start(plan.execution.workers, is_expensive(plan.configs[0].evaluator),
                            len(plan.configs) * plan.repeat, (c.budget for c in plan.configs))


def is_expensive(spec: EvaluatorSpec) -> bool:
    """Whether the evaluator trains (`expensive`), read from its class without building it."""
    return bool(getattr(_evaluator_class(spec), "expensive", False))


def _evaluator_class(spec: EvaluatorSpec) -> Any:
    if spec.kind != "python" or not spec.target:
        from nasdsl.evaluators.factory import evaluator_class
        from nasdsl.errors import DataError

        try:
            return evaluator_class(spec.kind)
        except DataError:
            return None
    module, _, name = spec.target.partition(":")
    try:
        found: Any = importlib.import_module(module)
        for part in name.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found
