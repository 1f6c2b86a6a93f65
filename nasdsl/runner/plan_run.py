"""`nasdsl run`: every run of a plan, journaled, resumable by replay.

A rerun of the same file skips finished runs and replays half-finished ones up to where they
stopped (`nasdsl.evaluation.replay`), for every optimizer, without optimizer-specific
checkpoints. Cheap evaluators (table lookups, `expensive` False) run whole runs in worker
processes (`run { workers }`) or as tasks of a Dask cluster (`run { cluster }`), each sending
its rows to this process, the journal's single writer; expensive ones (training) run the runs
here and spread each batch over an `Executor` (a local Dask cluster with `workers`).

The runner writes no report: its caller does, after the run (`nasdsl.experiment`), and tells
it which files that report puts into the output folder (`Reports`), so that a user's file
there is refused before the first evaluation and `fresh` removes the report it discards.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from nasdsl.component import declared
from nasdsl.errors import JournalError, NasdslError
from nasdsl.evaluation.fidelity import FolderCheckpoints, checkpoint_folder, clear_checkpoints
from nasdsl.cluster import make_executor
from nasdsl.execution import RunPool, TaskFailed, evaluator_for
from nasdsl.journal.file import refuse_foreign
from nasdsl.journal.lock import WriteLock
from nasdsl.journal.schema import FORMAT_VERSION
from nasdsl.journal.writer import Writer, discard
from nasdsl.plan import Plan
from nasdsl.progress import NullProgress, Progress
from nasdsl.runner.checks import check_data, check_journal, check_plan, data_identities
from nasdsl.runner.components import Components
from nasdsl.runner.final import run_final
from nasdsl.runner.task import (Finished, Rows, RunTask, Started, perform_in_worker,
                                perform_run, run_id)
from nasdsl.runner.workers import workers_to_start
from nasdsl.runner.writer import JournalWriter


@dataclass
class RunSummary:
    """What `run_plan` did."""

    journal: Path
    runs: int = 0
    skipped: int = 0
    evaluations: int = 0
    replayed: int = 0
    retrained: int = 0
    """Architectures `final { … }` retrained in this call."""
    best: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Reports:
    """What the caller writes into the output folder after the run: `files`, claimed before
    the first evaluation (none may replace a file nasdsl did not write), and `remove`, which
    deletes them when `fresh` discards the journal they described. The default: no report."""

    files: tuple[str, ...] = ()
    remove: Callable[[Path], None] | None = None


def _optima(plan: Plan) -> dict[str, float]:
    """The best value each accuracy the plan records can take in each declared space
    (NAS-Bench-101: exact, from the table), kept in the journal so that reports measure
    regret without the store."""
    from nasdsl.evaluators.optimum import optima

    records = {json.dumps(pair, sort_keys=True): pair
               for pair in ((r["evaluator"], r["space"])
                            for r in (c.record() for c in plan.configs))}

    def accuracies(evaluator: dict) -> list[str]:
        s = evaluator.get("settings") or {}
        names = [s.get("fitness"), *(s.get("report") or [])]
        return [m for m in names if isinstance(m, str) and m.endswith("accuracy")]

    return optima(list(records.values()), accuracies)


def _open_journal(plan: Plan, fresh: bool, identities: dict[str, str | None],
                  reports: Reports) -> Writer:
    path = plan.journal_path
    if fresh:
        existed = path.exists()
        discard(path)
        clear_checkpoints(plan.output)
        if existed and reports.remove is not None:  # they described the discarded journal
            reports.remove(plan.output)
    journal = Writer.open(path)
    try:
        check_journal(journal, plan)
        check_data(journal, plan, identities)
        journal.verify()  # before anything is added to it, whatever this run resumes
        source = ""
        if plan.source is not None and Path(plan.source).is_file():
            source = Path(plan.source).read_text()
        journal.write_meta({"format_version": FORMAT_VERSION, "experiment": plan.experiment,
                            "source": source, "seed": plan.seed, "repeat": plan.repeat,
                            "optima": json.dumps(_optima(plan)),
                            "plan": json.dumps({"configs": [c.key for c in plan.configs],
                                                "repeat": plan.repeat}),
                            "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        journal.write_configs(plan.configs)
    except BaseException:
        journal.close()
        raise
    return journal


def run_plan(plan: Plan, *, fresh: bool = False, progress: Progress | None = None,
             components: Components = Components(), reports: Reports = Reports()) -> RunSummary:
    """Run (or resume) every run of `plan` into its journal; the caller writes the report
    (`reports` names its files, see `Reports`)."""
    progress = progress or NullProgress()
    check_plan(plan, components)
    refuse_foreign(plan.journal_path)
    _claim_output(plan, reports.files, check_only=True)
    with WriteLock(plan.journal_path):  # one writer; readers never wait for it
        _claim_output(plan, reports.files)  # before the journal exists
        return _run_locked(plan, fresh, progress, components, reports)


def _run_locked(plan: Plan, fresh: bool, progress: Progress, components: Components,
                reports: Reports) -> RunSummary:
    identities = data_identities(plan, components)
    journal = _open_journal(plan, fresh, identities, reports)
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
                                 components, identities.get(run.config.key),
                                 str(checkpoint_folder(plan.output, rid))))
        total = None
        if all(t.config.budget.unit == "evaluations" for t in tasks):
            total = float(sum(t.config.budget.amount for t in tasks))
        progress.begin(plan.experiment, len(tasks), summary.skipped, total)
        try:
            if tasks:
                _execute(plan, tasks, journal, progress, summary)
            progress.end()
            if plan.final is not None:
                summary.retrained = run_final(plan, journal, progress, components, identities)
        except BaseException:
            progress.abort()  # before any message about why the run stopped
            raise
    finally:
        journal.close()
    return summary


def _execute(plan: Plan, tasks: list[RunTask], journal: Writer, progress: Progress,
             summary: RunSummary) -> None:
    factory = tasks[0].factory
    evaluator = evaluator_for(factory)
    expensive = bool(declared("evaluator", evaluator, "expensive"))
    reuse = bool(declared("evaluator", evaluator, "reuse_results"))
    spec = plan.execution
    writer = JournalWriter(journal, immediate=expensive)
    started = workers_to_start(spec.workers, expensive, len(tasks),
                               [t.config for t in tasks])
    try:
        if not expensive and spec.cluster is not None:
            _execute_on_cluster(tasks, spec.cluster, writer, journal, progress, summary)
        elif not expensive and started > 1:
            _execute_in_workers(tasks, started, writer, journal, progress, summary)
        else:
            with make_executor(started if expensive else 1, spec.cluster) as executor:
                chunk = executor.workers if expensive else None
                for task in tasks:
                    _execute_here(task, executor, writer, journal, progress, summary, reuse,
                                  chunk)
    except BaseException as e:
        if not isinstance(e, JournalError):
            try:
                writer.flush()  # keep what was evaluated before the interruption
            except JournalError:
                pass
        raise


def _execute_here(task: RunTask, executor: Any, writer: JournalWriter, journal: Writer,
                  progress: Progress, summary: RunSummary, reuse: bool = False,
                  chunk: int | None = None) -> None:
    journal.start_run(task.id, task.config.key, task.repeat, task.seed, task.data)
    progress.run_started(task.key, task.config.budget.amount, task.config.budget.unit)
    n, best, outcome = perform_run(task, executor.bind(task.factory), writer.add,
                                   lambda done, n, best: progress.update(task.key, done, n,
                                                                         best),
                                   reuse, chunk, executor.completions(task.factory))
    writer.flush(finished=(task.id, n), outcome=outcome)
    if task.checkpoints:  # a finished run continues nothing
        FolderCheckpoints(Path(task.checkpoints)).clear()
    _finished(task, n, best, progress, summary)


def _finished(task: RunTask, n: int, best: float | None, progress: Progress,
              summary: RunSummary) -> None:
    summary.runs += 1
    summary.evaluations += n - len(task.recorded)
    summary.replayed += len(task.recorded)
    summary.best[task.key] = best
    progress.run_finished(task.key, n, best)


def _execute_on_cluster(tasks: list[RunTask], address: str, writer: JournalWriter,
                        journal: Writer, progress: Progress, summary: RunSummary) -> None:
    """Cheap evaluations on a Dask cluster: a task per run (`nasdsl.runner.cluster_runs`),
    each journaled whole as it ends."""
    from nasdsl.runner.cluster_runs import runs_on_cluster

    for task, done in runs_on_cluster(tasks, address):
        journal.start_run(task.id, task.config.key, task.repeat, task.seed, task.data)
        progress.run_started(task.key, task.config.budget.amount, task.config.budget.unit)
        writer.add(done.rows)
        writer.flush(finished=(task.id, done.evaluations), outcome=done.outcome)
        _finished(task, done.evaluations, done.best, progress, summary)


def _execute_in_workers(tasks: list[RunTask], workers: int, writer: JournalWriter, journal: Writer,
                        progress: Progress, summary: RunSummary) -> None:
    by_id = {t.id: t for t in tasks}
    with RunPool(perform_in_worker, min(workers, len(tasks))) as pool:
        for task in tasks:
            pool.submit(task.id, task)
        for message in pool.messages(done=lambda m: isinstance(m, Finished)):
            task = by_id[message.task]
            if isinstance(message, Rows):
                writer.add(message.rows)
                progress.update(task.key, message.done, message.evaluations, message.best)
            elif isinstance(message, Started):
                journal.start_run(task.id, task.config.key, task.repeat, task.seed, task.data)
                progress.run_started(task.key, task.config.budget.amount,
                                     task.config.budget.unit)
            elif isinstance(message, Finished):
                writer.flush(finished=(task.id, message.evaluations),
                             outcome=message.outcome)
                _finished(task, message.evaluations, message.best, progress, summary)
            elif isinstance(message, TaskFailed):
                if message.error is not None:
                    raise message.error
                raise NasdslError(f"run {task.key} failed:\n{message.traceback}")


def _claim_output(plan: Plan, report_files: tuple[str, ...], check_only: bool = False) -> None:
    """Refuse, before the first evaluation, an output folder where the report's files or
    `final`'s models would replace files nasdsl did not write; else (unless `check_only`)
    list the folders as nasdsl's before the journal exists, so that after a kill a file put
    there is still the user's."""
    from nasdsl.output_folder import check_output, claim
    from nasdsl.runner.final import MODELS, model_names

    models = model_names(plan)
    check_output(plan.output, report_files, plan.journal_path)
    check_output(plan.output / MODELS, models, plan.journal_path, home=plan.output)
    if check_only:
        return
    if models:  # first: the output folder's list ends what an older nasdsl's journal vouches for
        claim(plan.output / MODELS, models, plan.journal_path, home=plan.output,
              what="final's models")
    claim(plan.output, report_files, plan.journal_path)
