"""One run: its task, its search to the budget, and the messages a worker process sends.

A run is one repeat of one search configuration. Its optimizer gets
`numpy.random.default_rng(run.seed)`, a `BudgetMeter`, and the shared `Batch` as its
`evaluate_batch`, with the run's recorded prefix to replay and a recorder that turns each
fresh evaluation into a journal `Row` for the sink (the journal writer here, or the parent
process from a worker).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Hashable, NamedTuple, Sequence

import numpy as np

from nasdsl.component import declared
from nasdsl.evaluation.fidelity import FolderCheckpoints
from nasdsl.execution import EvaluatorFactory, evaluator_for, local_evaluation
from nasdsl.journal.records import Recorded, Row
from nasdsl.journal.rows import result_problem
from nasdsl.journal.values import metrics_json
from nasdsl.optimizers.base import BudgetMeter
from nasdsl.evaluation.batch import Batch, Evaluate, Report, Timed
from nasdsl.evaluation.completions import Completions
from nasdsl.plan import Run, SearchConfig
from nasdsl.result import Result
from nasdsl.registry import optimizer_of
from nasdsl.runner.components import Components
from nasdsl.evaluation.replay import Replay, architecture_key

Sink = Callable[[list[Row]], None]
"""Receives the journal rows of fresh evaluations, before their results go back."""


def run_id(run: Run) -> str:
    """The journal's key of a run: short, stable across reruns (a digest of the configuration
    key, then the repeat number); `runs.config` holds the readable configuration key."""
    digest = hashlib.sha1(run.config.key.encode()).hexdigest()[:10]
    return f"{digest}/{run.repeat}"


@dataclass(frozen=True)
class RunTask:
    """Everything a process needs to perform (or resume) one run."""

    id: str
    key: str
    config: SearchConfig
    repeat: int
    seed: int
    recorded: tuple[Recorded, ...]
    components: Components
    data: str | None = None
    """JSON identity of the data the run reads (kept in the journal with the run)."""
    checkpoints: str | None = None
    """Folder of the states a multi-fidelity run's continued trainings start from (None:
    kept in memory)."""

    @property
    def factory(self) -> EvaluatorFactory:
        from nasdsl.evaluators.factory import wants_space

        space = self.config.space if wants_space(self.config.evaluator) else None
        return EvaluatorFactory(self.components.make_evaluator, self.config.evaluator, space)


def _recorder(task: RunTask, space: Any, sink: Sink) -> Callable[..., None]:
    """Fresh evaluations -> journal rows -> `sink`."""
    run, canonical = task.id, space.canonical

    def record(first: int, generation: int, archs: Sequence[Hashable],
               outcomes: Sequence[Timed], arrival: int | None = None) -> None:
        if arrival == first:  # arrived in index order: the journal leaves it implied
            arrival = None
        sink([Row(run, first + i, generation, canonical(arch), architecture_key(space, arch),
                  result.fitness, result.status, result.error, float(result.cost_seconds), wall,
                  metrics_json(result.metrics), None if arrival is None else arrival + i)
              for i, (arch, (result, wall)) in enumerate(zip(archs, outcomes))])

    return record


def _sound(fitness_metric: Any) -> Callable[[Result], Result]:
    """An evaluation whose values the journal's reader would refuse (an accuracy of 95 from
    an evaluator answering in percent) fails, with the reason, before the search sees it."""
    metric = fitness_metric if isinstance(fitness_metric, str) else None

    def check(result: Result) -> Result:
        if result.status != "ok" and result.fitness is None and not result.metrics:
            return result
        why = result_problem(result.fitness, metric, result.cost_seconds, result.metrics)
        return result if why is None else Result.failed(f"the evaluator's answer was refused: "
                                                        f"{why}")
    return check


def perform_run(task: RunTask, evaluate: Evaluate, sink: Sink, report: Report | None = None,
                reuse: bool = False, chunk: int | None = None,
                completions: Completions | None = None
                ) -> tuple[int, float | None, dict[str, Any]]:
    """Search one run to its budget; returns (evaluations, best fitness, the optimizer's
    outcome). `reuse`: answer an architecture the run already evaluated from that result;
    `chunk`: evaluate and record that many candidates at a time (both for training);
    `completions`: where candidates submitted one at a time run (default: with `evaluate`,
    in this process, in submission order)."""
    config = task.config
    space = task.components.space(config.space)
    component = optimizer_of(config)
    optimizer = task.components.make_optimizer(component, space, config.settings)
    meter = BudgetMeter(config.budget)
    replay = Replay(task.key, task.recorded, space)
    multi = bool(component.declared("multi_fidelity"))
    batch = Batch(evaluate, meter, task.seed, record=_recorder(task, space, sink),
                  replay=replay, report=report, chunk=chunk,
                  reuse=(lambda arch: architecture_key(space, arch)) if reuse else None,
                  completions=completions,
                  check=_sound(config.evaluator.settings.get("fitness")),
                  fidelities=task.components.fidelities(config.evaluator) if multi else None,
                  checkpoints=FolderCheckpoints(Path(task.checkpoints))
                  if multi and task.checkpoints else None)
    try:
        optimizer.search(batch, meter, np.random.default_rng(task.seed))
    finally:
        if batch.in_flight:  # stopped (an error, an interrupt) with evaluations under way
            batch.cancel()
    replay.check_finished(len(batch.history))
    return len(batch.history), batch.best, component.outcome(optimizer)


# --- a run in a worker process ------------------------------------------------------------------
class Started(NamedTuple):
    task: str


class Rows(NamedTuple):
    """Journal rows of a run, with its progress so far."""

    task: str
    rows: list[Row]
    done: float
    evaluations: int
    best: float | None


class Finished(NamedTuple):
    task: str
    evaluations: int
    best: float | None
    outcome: dict[str, Any]


def perform_in_worker(task: RunTask, emit: Callable[[Any], None]) -> None:
    """A run in a worker process: rows go to the parent in chunks (the parent commits)."""
    buffer: list[Row] = []
    progress = {"last": time.monotonic(), "done": 0.0, "n": 0, "best": None}

    def send() -> None:
        emit(Rows(task.id, buffer[:], progress["done"], progress["n"], progress["best"]))
        buffer.clear()
        progress["last"] = time.monotonic()

    def sink(rows: list[Row]) -> None:
        buffer.extend(rows)
        if len(buffer) >= 2000 or time.monotonic() - progress["last"] >= 0.5:
            send()

    def report(done: float, n: int, best: float | None) -> None:
        progress.update(done=done, n=n, best=best)

    emit(Started(task.id))
    reuse = bool(declared("evaluator", evaluator_for(task.factory), "reuse_results"))
    n, best, outcome = perform_run(task, local_evaluation(task.factory), sink, report, reuse)
    progress.update(n=n, best=best)
    if buffer:
        send()
    emit(Finished(task.id, n, best, outcome))
