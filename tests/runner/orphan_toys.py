"""Parents whose workers block for an hour (tests/runner/test_no_orphans.py kills them).

Module-level functions, so spawned workers can import them by name."""
from __future__ import annotations

import sys
import time

from nasdsl.execution import EvaluatorFactory, ProcessPoolExecutor, RunPool
from nasdsl.result import Result

HOUR = 3600


def blocked_run(payload, emit) -> None:
    """A run that announces itself, then never ends (a worker stuck on a pipe)."""
    emit((payload, "started"))
    time.sleep(HOUR)


def run_pool_of_blocked_runs() -> None:
    with RunPool(blocked_run, 2) as pool:
        for task in ("a", "b"):
            pool.submit(task, task)
        started = 0
        for message in pool.messages(done=lambda m: False):
            started += message[1] == "started"
            if started == 2:
                print("workers blocked", flush=True)
                time.sleep(HOUR)


class Stuck:
    """An evaluator whose evaluations never end."""

    def evaluate(self, x, seed=None) -> Result:
        time.sleep(HOUR)
        return Result(fitness=0.0)


def make_stuck(spec) -> Stuck:
    return Stuck()


def executor_of_blocked_evaluations() -> None:
    import threading

    executor = ProcessPoolExecutor(2)
    thread = threading.Thread(target=executor.map_timed,
                              args=(EvaluatorFactory(make_stuck, None), ["x", "y"], [0, 1]),
                              daemon=True)
    thread.start()
    pool = None
    while pool is None or len(getattr(pool, "_processes", {}) or {}) < 2:
        time.sleep(0.05)
        pool = executor._pool
    time.sleep(1.0)  # both workers past their start-up, evaluating
    print("workers blocked", flush=True)
    sys.stdout.flush()
    time.sleep(HOUR)


def local_dask_of_blocked_evaluations() -> None:
    """`run { workers = 2 }` with training: a local Dask cluster whose two worker processes
    are both inside an evaluation that never ends."""
    import threading

    from nasdsl.cluster import DaskExecutor

    executor = DaskExecutor.local(2)
    thread = threading.Thread(target=executor.map_timed,
                              args=(EvaluatorFactory(make_stuck, None), ["x", "y"], [0, 1]),
                              daemon=True)
    thread.start()
    while sum(len(v) for v in executor.client.processing().values()) < 2:
        time.sleep(0.05)
    time.sleep(1.0)  # both workers inside their evaluation
    print("workers blocked", flush=True)
    time.sleep(HOUR)
