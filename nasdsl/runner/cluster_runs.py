"""Whole runs of a cheap evaluator (table lookups) as tasks of a Dask cluster.

A lookup costs tens of microseconds and a Dask task about a millisecond, so lookups travel in
the largest batch there is: a whole run. Each task performs one run on a worker (its recorded
prefix replayed there) and returns its journal rows; this process, the journal's single
writer, commits them with the run's end in one transaction. A run whose worker dies is run
again elsewhere from the start and journaled once; a scheduler that goes away stops the run.
"""
from __future__ import annotations

import contextlib
import traceback
import uuid
from concurrent.futures import CancelledError
from typing import Any, Iterator, NamedTuple

from nasdsl.cluster import ClusterLost, connect, killed_worker_type, lost, on_worker
from nasdsl.errors import NasdslError
from nasdsl.execution import local_evaluation
from nasdsl.runner.task import RunTask, perform_run


class RunDone(NamedTuple):
    """What a worker sends back for one run."""

    rows: list[tuple]
    """In `Row`'s column order."""
    evaluations: int
    best: float | None
    outcome: dict[str, Any]
    worker: str


def _perform(task: RunTask) -> RunDone:
    from nasdsl.cluster import worker_name

    rows: list[tuple] = []
    n, best, outcome = perform_run(task, local_evaluation(task.factory), rows.extend)
    return RunDone(rows, n, best, outcome, worker_name())


def run_on_worker(task: RunTask) -> RunDone:
    """One whole run, on a Dask worker."""
    return on_worker(_perform, task)


def runs_on_cluster(tasks: list[RunTask], address: str) -> Iterator[tuple[RunTask, RunDone]]:
    """Perform `tasks` on the scheduler at `address`'s workers; yields each run as it ends.
    Raises `ClusterLost` when the scheduler goes away, and stops at the first run that
    fails (its error, with the worker's traceback)."""
    client = connect(address)
    futures: dict[Any, RunTask] = {}
    try:
        from distributed import as_completed

        batch = uuid.uuid4().hex[:8]
        for task in tasks:
            future = client.submit(run_on_worker, task, pure=False,
                                   key=f"nasdsl-run-{task.id}-{batch}")
            futures[future] = task
        for future in as_completed(list(futures), loop=client.loop):
            task = futures.pop(future)
            done = _result(future, task, client, address)
            future.release()  # nothing held on a worker for the scheduler to redo
            yield task, done
    finally:
        with contextlib.suppress(Exception):
            client.cancel(list(futures), force=True)
        with contextlib.suppress(Exception):
            client.close(timeout=2)


def _result(future: Any, task: RunTask, client: Any, address: str) -> RunDone:
    try:
        return future.result()
    except NasdslError:
        raise
    except CancelledError:
        raise lost(address) from None
    except killed_worker_type() as e:
        raise NasdslError(f"run {task.key}: its Dask worker died each time it ran (killed, "
                          f"or out of memory): {e}; a rerun resumes") from None
    except Exception as e:
        if client.status not in ("running", "connecting"):
            raise lost(address, f"{type(e).__name__}: {e}") from None
        trace = "".join(traceback.format_exception(e)).rstrip()
        raise NasdslError(f"run {task.key} failed on a Dask worker:\n{trace}") from None


__all__ = ["ClusterLost", "RunDone", "run_on_worker", "runs_on_cluster"]
