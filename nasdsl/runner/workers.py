"""How many worker processes a run starts on this machine: no more than there is work for.

`run { workers = N }` is an upper bound, not an order: table lookups send whole runs to
workers, so more workers than runs would idle (and one run is simply run here); training
spreads each run's candidates, so more workers than a run can have in flight would idle: its
evaluation budget (a time budget sets no such cap) and the largest batch its search asks for
(DQN plays one episode at a time, evolution asks for its population and then one child).
`check` says the same number the run starts.
"""
from __future__ import annotations

import math
from typing import Iterable

from nasdsl.plan import EvaluatorSpec, Plan, SearchConfig
from nasdsl.registry import ComponentError, evaluator_of, optimizer_of


def workers_to_start(workers: int, expensive: bool, runs: int,
                     configs: Iterable[SearchConfig]) -> int:
    """Worker processes for `runs` runs of these configurations: 0 means evaluations run in
    this process. Lookups (`expensive` False) take one worker per run; training, at most
    the most evaluations one run can have in flight (`at_once`)."""
    if workers <= 1:
        return 0
    if not expensive:
        return min(workers, runs) if runs > 1 else 0
    most = max((at_once(c) for c in configs), default=math.inf)
    started = int(min(workers, most))
    return started if started > 1 else 0


def at_once(config: SearchConfig) -> float:
    """Most evaluations a run of `config` can have in flight: its evaluation budget, and the
    largest batch its search asks for (`largest_batch`); infinity when neither bounds it."""
    budget = config.budget
    most = float(budget.amount) if budget.unit == "evaluations" else math.inf
    try:
        batch = optimizer_of(config).largest_batch(config.settings)
    except ComponentError:  # a search that cannot be found is the run's to refuse
        return most
    return most if batch is None else min(most, float(batch))


def plan_workers(plan: Plan) -> int:
    """What `workers_to_start` gives for every run of `plan` (none with a cluster)."""
    if plan.execution.cluster is not None or not plan.configs:
        return 0
    return workers_to_start(plan.execution.workers, is_expensive(plan.configs[0].evaluator),
                            len(plan.configs) * plan.repeat, plan.configs)


def is_expensive(spec: EvaluatorSpec) -> bool:
    """Whether the evaluator trains (`expensive`), read from its record without building it."""
    try:
        return evaluator_of(spec).expensive
    except ComponentError:
        return False
