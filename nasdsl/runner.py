"""`nasdsl run`: every run of a plan, journaled, resumable by replay.

A run is one repeat of one search configuration. Its optimizer gets
`numpy.random.default_rng(run.seed)`, a `BudgetMeter`, and a `JournaledBatch` as its
`evaluate_batch`: the batch answers a candidate from the journal when the journal holds that
(run, index) with the same architecture hash (replay), refuses the run as diverged when the
hash differs, and otherwise evaluates it, records it and charges the budget. A rerun of the
same file therefore skips finished runs and replays half-finished ones up to where they
stopped, for every optimizer, without optimizer-specific checkpoints.

Cheap evaluators (table lookups) run whole runs in worker processes (`run { workers }`), each
sending its rows to this process, the journal's single writer; expensive ones (training) run
the runs here and spread each batch over an `Executor`.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Hashable, Mapping, Sequence

import numpy as np

from nasdsl.errors import DataError, DslError, JournalError, NasdslError
from nasdsl.execution import (EvaluatorFactory, RunPool, Timed, evaluator_for, local_evaluation,
                              make_executor)
from nasdsl.journal import (FORMAT_VERSION, Journal, Recorded, Row, config_record,
                            metrics_json)
from nasdsl.optimizers.base import BudgetMeter, Evaluation, History
from nasdsl.plan import Budget, EvaluatorSpec, Plan, Run, SearchConfig, SpaceSpec
from nasdsl.progress import NullProgress, Progress, make_progress
from nasdsl.result import Result
from nasdsl.seeding import evaluation_seed


# --- how plan specs become objects ------------------------------------------------------------
def _registry_space(spec: SpaceSpec) -> Any:
    from nasdsl.spaces import make_space

    return make_space(spec)


def _registry_evaluator(spec: EvaluatorSpec, space: SpaceSpec | None = None) -> Any:
    from nasdsl.evaluators import make_evaluator

    if space is None or spec.kind != "python":
        return make_evaluator(spec)
    return make_evaluator(spec, to_descriptor=_registry_space(space).to_descriptor)


def _registry_optimizer(algorithm: str, space: Any, settings: Mapping[str, Any]) -> Any:
    from nasdsl.optimizers import make_optimizer

    return make_optimizer(algorithm, space, settings)


def _registry_data_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    import nasdsl.evaluators as evaluators

    check = getattr(evaluators, "data_problems", None)
    return list(check(spec, budget)) if check is not None else []


@dataclass(frozen=True)
class Components:
    """The factories the runner builds spaces, evaluators and optimizers with: the registries
    by default. Module-level callables only, so worker processes can receive them."""

    make_space: Callable[[SpaceSpec], Any] = _registry_space
    make_evaluator: Callable[..., Any] = _registry_evaluator
    """`(evaluator spec[, space spec]) -> evaluator`."""
    make_optimizer: Callable[[str, Any, Mapping[str, Any]], Any] = _registry_optimizer
    data_problems: Callable[[EvaluatorSpec, Budget], list[str]] = _registry_data_problems


_SPACES: dict[str, Any] = {}


def _space_for(components: Components, spec: SpaceSpec) -> Any:
    """One space per spec per process (spaces are stateless)."""
    token = repr(spec)
    space = _SPACES.get(token)
    if space is None:
        space = _SPACES[token] = components.make_space(spec)
    return space


# --- one run --------------------------------------------------------------------------------
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

    @property
    def factory(self) -> EvaluatorFactory:
        space = self.config.space if self.config.evaluator.kind == "python" else None
        return EvaluatorFactory(self.components.make_evaluator, self.config.evaluator, space)


Evaluate = Callable[[Sequence[Hashable], Sequence[int]], list[Timed]]
Sink = Callable[[list[Row]], None]
Report = Callable[[float, int, "float | None"], None]


class JournaledBatch:
    """The runner's `EvaluateBatch`: replay, else evaluate; record; charge; stop at budget.

    Rows reach `sink` before results are handed back to the optimizer. Results handed back
    carry a float fitness whether they were evaluated or replayed, so a resumed run sees
    exactly what an uninterrupted one saw.
    """

    def __init__(self, task: RunTask, space: Any, evaluate: Evaluate, meter: BudgetMeter,
                 sink: Sink, report: Report | None = None, report_every: float = 0.25):
        self.history = History()
        self._task = task
        self._space = space
        self._evaluate = evaluate
        self._meter = meter
        self._sink = sink
        self._recorded = task.recorded
        self._report = report
        self._report_every = report_every
        self._last_report = time.monotonic()
        self.best: float | None = None

    def __call__(self, candidates: Sequence[Hashable], generation: int) -> list[Result]:
        meter, space = self._meter, self._space
        out: list[Result] = []
        pos, n = 0, len(candidates)
        recorded = self._recorded
        while pos < n and len(self.history) < len(recorded) and not meter.exhausted:
            rec = recorded[len(self.history)]
            arch = candidates[pos]
            h = _key(space, arch)
            if h != rec.hash:
                raise JournalError(
                    f"run {self._task.key} diverged from the journal at evaluation {rec.index}: "
                    f"the journal holds architecture {rec.hash}, the search now asks for {h}. "
                    "Something that decides the search changed (code, data or file); rerun "
                    "with --fresh to discard the journal")
            self._admit(generation, arch, rec.result, out)
            pos += 1
        if pos < n and not meter.exhausted:
            rest = list(candidates[pos:]) if pos else list(candidates)
            left = meter.remaining_evaluations
            if left is not None and left < len(rest):
                rest = rest[:left]
            first = len(self.history)
            seed = self._task.seed
            outcomes = self._evaluate(rest, [evaluation_seed(seed, first + i)
                                             for i in range(len(rest))])
            rows: list[Row] = []
            run, canonical, timed = self._task.id, space.canonical, meter.budget.unit == "seconds"
            admit = self._admit
            for arch, (result, wall) in zip(rest, outcomes):
                if timed and meter.exhausted:  # time budget crossed: later results discarded
                    break
                f = result.fitness
                if f is not None and type(f) is not float:
                    result = _plain(result)
                rows.append((run, len(self.history), generation, canonical(arch),
                             _key(space, arch), result.fitness, result.status, result.error,
                             float(result.cost_seconds), wall, metrics_json(result.metrics)))
                admit(generation, arch, result, out)
            self._sink(rows)
        if self._report is not None:
            now = time.monotonic()
            if now - self._last_report >= self._report_every:
                self._last_report = now
                self._report(self.done, len(self.history), self.best)
        return out

    @property
    def done(self) -> float:
        """Budget units spent: evaluations, or seconds for a time budget."""
        m = self._meter
        return m.evaluations if m.budget.unit == "evaluations" else m.seconds

    def _admit(self, generation: int, arch: Hashable, result: Result, out: list[Result]) -> None:
        self._meter.charge(result)
        self.history.evaluations.append(Evaluation(len(self.history), generation, arch, result))
        out.append(result)
        f = result.fitness
        if (f is not None and f == f and result.status == "ok"  # f == f: not NaN
                and (self.best is None or f > self.best)):
            self.best = f


def _key(space: Any, arch: Hashable) -> str:
    try:
        return str(space.key(arch))
    except Exception:  # an architecture outside the space may have no identity
        return "invalid:" + hashlib.sha1(space.canonical(arch).encode()).hexdigest()[:16]


def _plain(result: Result) -> Result:
    """The result as the journal will replay it: fitness a Python float (or None)."""
    f = result.fitness
    if f is None or type(f) is float:
        return result
    return Result(float(f), result.metrics, result.cost_seconds, result.status, result.error)


def perform_run(task: RunTask, evaluate: Evaluate, sink: Sink,
                report: Report | None = None) -> tuple[int, float | None]:
    """Search one run to its budget; returns (evaluations, best fitness)."""
    config = task.config
    space = _space_for(task.components, config.space)
    optimizer = task.components.make_optimizer(config.algorithm, space, config.settings)
    meter = BudgetMeter(config.budget)
    batch = JournaledBatch(task, space, evaluate, meter, sink, report)
    optimizer.search(batch, meter, np.random.default_rng(task.seed))
    if len(batch.history) < len(task.recorded):
        raise JournalError(
            f"run {task.key} diverged from the journal: the search ended after "
            f"{len(batch.history)} evaluations but the journal holds {len(task.recorded)}; "
            "rerun with --fresh to discard the journal")
    return len(batch.history), batch.best


def _perform_in_worker(task: RunTask, emit: Callable[[tuple], None]) -> None:
    """A run in a worker process: rows go to the parent in chunks (the parent commits)."""
    factory = task.factory
    buffer: list[Row] = []
    state = {"last": time.monotonic(), "done": 0.0, "n": 0, "best": None}

    def send() -> None:
        emit(("rows", task.id, buffer[:], state["done"], state["n"], state["best"]))
        buffer.clear()
        state["last"] = time.monotonic()

    def sink(rows: list[Row]) -> None:
        buffer.extend(rows)
        if len(buffer) >= 2000 or time.monotonic() - state["last"] >= 0.5:
            send()

    def report(done: float, n: int, best: float | None) -> None:
        state.update(done=done, n=n, best=best)

    emit(("start", task.id))
    n, best = perform_run(task, local_evaluation(factory), sink, report)
    state.update(n=n, best=best)
    if buffer:
        send()
    emit(("done", task.id, n, best))


# --- the journal writer ------------------------------------------------------------------------
class _Writer:
    """Group commits: every `rows` rows or `seconds` seconds, or at once when `immediate`
    (expensive evaluations are committed before the search moves on)."""

    def __init__(self, journal: Journal, immediate: bool, rows: int = 5000, seconds: float = 1.0):
        self._journal = journal
        self._immediate = immediate
        self._rows = rows
        self._seconds = seconds
        self._buffer: list[Row] = []
        self._last = time.monotonic()

    def add(self, rows: list[Row]) -> None:
        self._buffer.extend(rows)
        if (self._immediate or len(self._buffer) >= self._rows
                or time.monotonic() - self._last >= self._seconds):
            self.flush()

    def flush(self, finished: tuple[str, int] | None = None) -> None:
        rows, self._buffer = self._buffer, []
        self._last = time.monotonic()
        self._journal.append(rows, finished=finished)


# --- the plan -----------------------------------------------------------------------------------
@dataclass
class RunSummary:
    """What `run_plan` did."""

    journal: Path
    runs: int = 0
    skipped: int = 0
    evaluations: int = 0
    replayed: int = 0
    best: dict[str, float | None] = field(default_factory=dict)


def plan_problems(plan: Plan, components: Components = Components()) -> list[str]:
    """What stops `plan` from running here, each once: a search whose algorithm is not
    installed or refuses its settings, then what the data cannot answer."""
    problems: list[str] = []
    for config in plan.configs:
        try:
            components.make_optimizer(config.algorithm, _space_for(components, config.space),
                                      config.settings)
        except DslError as e:
            problems.append(e.message)
    seen: set[str] = set()
    for config in plan.configs:
        token = f"{config.evaluator!r}|{config.budget}"
        if token not in seen:
            seen.add(token)
            problems.extend(components.data_problems(config.evaluator, config.budget))
    return list(dict.fromkeys(problems))


def check_plan(plan: Plan, components: Components) -> None:
    """Refuse (DataError, exit 2) a plan that cannot run, before the journal is touched."""
    problems = plan_problems(plan, components)
    if problems:
        name = plan.source or plan.experiment
        raise DataError(f"{name}: cannot run:\n  " + "\n  ".join(problems))


def _differences(journal: Journal, config: SearchConfig) -> list[str]:
    df = journal.configs()
    row = df[df["config"] == config.key]
    if row.empty:
        return []
    old = row.iloc[0]
    return [k for k, v in config_record(config).items() if old[k] != v]


def _check_journal(journal: Journal, plan: Plan) -> None:
    """Refuse a journal whose recorded runs this plan would not reproduce."""
    states = journal.run_states()
    if not states:
        return
    advice = "; rerun with --fresh to discard the journal, or choose another output"
    fingerprints = journal.fingerprints()
    with_runs = {s.config for s in states.values()}
    for config in plan.configs:
        old = fingerprints.get(config.key)
        if old is not None and old != config.fingerprint() and config.key in with_runs:
            what = ", ".join(_differences(journal, config)) or "its settings"
            raise JournalError(f"search configuration {config.key} changed ({what}) since "
                               f"{journal.path} recorded its runs{advice}")
    for run in plan.runs:
        state = states.get(run_id(run))
        if state is not None and state.seed != run.seed:
            raise JournalError(f"run {run.key} was recorded with seed {state.seed}, the file now "
                               f"gives it seed {run.seed} (seed changed){advice}")


def _accuracies(evaluator: dict) -> list[str]:
    s = evaluator.get("settings") or {}
    names = [s.get("fitness"), *(s.get("report") or [])]
    return [m for m in names if isinstance(m, str) and m.endswith("accuracy")]


def _optima(plan: Plan) -> dict[str, float]:
    """The best value each accuracy the plan records can take (NAS-Bench-101: the table's),
    kept in the journal so that reports measure regret without the store."""
    from nasdsl.evaluators.optimum import optima

    records = {json.dumps(r, sort_keys=True): r
               for r in (config_record(c)["evaluator"] for c in plan.configs)}
    return optima(list(records.values()), _accuracies)


def _space_optima(plan: Plan) -> dict[str, float]:
    """The best value of each recorded accuracy over each declared space, for reports'
    `found_best`."""
    from nasdsl.evaluators.optimum import space_optima

    pairs = [(r["evaluator"], r["space"]) for r in map(config_record, plan.configs)]
    records = {json.dumps(pair, sort_keys=True): pair for pair in pairs}
    return space_optima(list(records.values()), _accuracies)


def _open_journal(plan: Plan, fresh: bool) -> Journal:
    path = plan.journal_path
    if fresh:
        Journal.discard(path)
    journal = Journal.open(path, readonly=False)
    try:
        _check_journal(journal, plan)
        source = ""
        if plan.source is not None and Path(plan.source).is_file():
            source = Path(plan.source).read_text()
        journal.write_meta({"format_version": FORMAT_VERSION, "experiment": plan.experiment,
                            "source": source, "seed": plan.seed, "repeat": plan.repeat,
                            "optima": json.dumps(_optima(plan)),
                            "space_optima": json.dumps(_space_optima(plan)),
                            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        journal.write_configs(plan.configs)
    except BaseException:
        journal.close()
        raise
    return journal


def run_plan(plan: Plan, *, fresh: bool = False, progress: Progress | None = None,
             components: Components = Components(), report: bool = True,
             show: bool = False) -> RunSummary:
    """Run (or resume) every run of `plan`; write the report at the end when `report`,
    printing its summary table when `show`."""
    progress = progress or NullProgress()
    check_plan(plan, components)
    journal = _open_journal(plan, fresh)
    summary = RunSummary(journal=plan.journal_path)
    try:
        states = journal.run_states()
        tasks: list[RunTask] = []
        for run in plan.runs:
            rid = run_id(run)
            state = states.get(rid)
            if state is not None and state.status == "finished":
                summary.skipped += 1
                continue
            recorded = tuple(journal.recorded(rid)) if state is not None else ()
            tasks.append(RunTask(rid, run.key, run.config, run.repeat, run.seed, recorded,
                                 components))
        total = None
        if all(t.config.budget.unit == "evaluations" for t in tasks):
            total = float(sum(t.config.budget.amount for t in tasks))
        progress.begin(plan.experiment, len(tasks), summary.skipped, total)
        if tasks:
            _execute(plan, tasks, journal, progress, summary)
        progress.end()
    finally:
        journal.close()
    if report:
        _write_report(plan, show)
    return summary


def _execute(plan: Plan, tasks: list[RunTask], journal: Journal, progress: Progress,
             summary: RunSummary) -> None:
    factory = tasks[0].factory
    expensive = bool(getattr(evaluator_for(factory), "expensive", False))
    spec = plan.execution
    writer = _Writer(journal, immediate=expensive)
    try:
        if not expensive and spec.cluster is None and spec.workers > 1 and len(tasks) > 1:
            _execute_in_workers(tasks, spec.workers, writer, journal, progress, summary)
        else:
            with make_executor(spec.workers if expensive else 1, spec.cluster) as executor:
                for task in tasks:
                    _execute_here(task, executor, writer, journal, progress, summary)
    except BaseException as e:
        if not isinstance(e, JournalError):
            try:
                writer.flush()  # keep what was evaluated before the interruption
            except JournalError:
                pass
        raise


def _execute_here(task: RunTask, executor: Any, writer: _Writer, journal: Journal,
                  progress: Progress, summary: RunSummary) -> None:
    journal.start_run(task.id, task.config.key, task.repeat, task.seed)
    progress.run_started(task.key, task.config.budget.amount, task.config.budget.unit)
    n, best = perform_run(task, executor.bind(task.factory), writer.add,
                          lambda done, n, best: progress.update(task.key, done, n, best))
    writer.flush(finished=(task.id, n))
    _finished(task, n, best, progress, summary)


def _finished(task: RunTask, n: int, best: float | None, progress: Progress,
              summary: RunSummary) -> None:
    summary.runs += 1
    summary.evaluations += n - len(task.recorded)
    summary.replayed += len(task.recorded)
    summary.best[task.key] = best
    progress.run_finished(task.key, n, best)


def _execute_in_workers(tasks: list[RunTask], workers: int, writer: _Writer, journal: Journal,
                        progress: Progress, summary: RunSummary) -> None:
    by_id = {t.id: t for t in tasks}
    with RunPool(_perform_in_worker, min(workers, len(tasks))) as pool:
        for task in tasks:
            pool.submit(task.id, task)
        for message in pool.messages(done=lambda m: m[0] in ("done", "error")):
            kind, rid = message[0], message[1]
            task = by_id[rid]
            if kind == "rows":
                writer.add(message[2])
                progress.update(task.key, message[3], message[4], message[5])
            elif kind == "start":
                journal.start_run(rid, task.config.key, task.repeat, task.seed)
                progress.run_started(task.key, task.config.budget.amount,
                                     task.config.budget.unit)
            elif kind == "done":
                writer.flush(finished=(rid, message[2]))
                _finished(task, message[2], message[3], progress, summary)
            elif kind == "error":
                error, text = message[2], message[3]
                if isinstance(error, NasdslError):
                    raise error
                raise NasdslError(f"run {task.key} failed:\n{text}")


def _write_report(plan: Plan, show: bool) -> None:
    from nasdsl.report import write_report

    write_report(plan.output, journal=plan.journal_path, show=show)


def run_file(path: str | Path, fresh: bool = False, output: str | Path | None = None,
             quiet: bool = False) -> int:
    """`nasdsl run FILE`: load, check, run or resume, report. Returns the exit status;
    refusals and failures raise (the CLI maps them to exit codes)."""
    from nasdsl.dsl import load

    plan = load(Path(path))
    if output is not None:
        plan = replace(plan, output=Path(output))
    summary = run_plan(plan, fresh=fresh, progress=make_progress(quiet=quiet), show=not quiet)
    if not quiet:
        print(f"{summary.runs} runs done ({summary.evaluations} evaluations, "
              f"{summary.replayed} replayed, {summary.skipped} runs already finished); "
              f"journal {summary.journal}, report in {plan.output}")
    return 0
