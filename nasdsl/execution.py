"""Where evaluations run.

Two granularities:

* `Executor.map(evaluator_factory, items, seeds)`: one batch of evaluations, for evaluators
  where one evaluation is expensive (real training). In-process, a local process pool, or
  Dask (`nasdsl.cluster`: `run { workers = N }` or `run { cluster = "…" }`), one contract:
  a result per item, in order; an evaluation that raises becomes `Result.failed(...)`.
* `RunPool`: whole runs in worker processes, for cheap in-memory evaluators (table lookups)
  where the cost is the search loop itself. Workers send their journal rows back to the
  parent, the journal's single writer.

Evaluators are built in the process that uses them, from a picklable `EvaluatorFactory`, and
cached there: a benchmark table is loaded once per process, never shipped per item.
"""
from __future__ import annotations

import concurrent.futures as cf
import functools
import importlib
import multiprocessing as mp
import os
import queue
import time
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterator, NamedTuple, Sequence

from nasdsl.errors import DataError, NasdslError
from nasdsl.interrupts import ignore_interrupts
from nasdsl.lifeline import die_with_parent, entry_of, guarded
from nasdsl.evaluation.batch import Timed
from nasdsl.evaluation.completions import Completions, InOrder
from nasdsl.result import Result


@dataclass(frozen=True, eq=False)
class EvaluatorFactory:
    """Builds the evaluator of a spec; picklable, so worker processes build their own.
    `space` (the search space's spec) is passed on when given, for evaluators that receive
    NORD descriptors and need the space to make them. Two factories are equal when they
    build the same evaluator (same `token`)."""

    make: Callable[..., Any]
    spec: Any
    space: Any = None

    def __call__(self) -> Any:
        return self.make(self.spec) if self.space is None else self.make(self.spec, self.space)

    @functools.cached_property
    def token(self) -> str:
        make = f"{getattr(self.make, '__module__', '')}.{getattr(self.make, '__qualname__', '')}"
        return f"{make}|{self.spec!r}|{self.space!r}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvaluatorFactory) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


@functools.lru_cache(maxsize=32)
def evaluator_for(factory: EvaluatorFactory) -> Any:
    """The evaluator of `factory` in this process, built on first use and kept (a benchmark
    table is loaded once per process). `evaluator_for.cache_clear()` forgets them."""
    return factory()


def _failure(error: BaseException) -> Result:
    """A failed result: what broke on its first line, then the traceback from where the
    evaluation raised it (as the process that ran it saw it)."""
    trace = "".join(traceback.format_exception(error)).rstrip()
    return Result.failed(f"{type(error).__name__}: {error}\n{trace}")


def _evaluate_one(factory: EvaluatorFactory, item: Hashable, seed: int | None) -> Timed:
    """One timed evaluation. An evaluation that breaks is recorded, never fatal; an evaluator
    that cannot be built or whose data cannot answer (DataError) stops the run instead, so
    a run is never journaled as finished with nothing but failures."""
    evaluator = evaluator_for(factory)
    start = time.perf_counter()
    try:
        result = evaluator.evaluate(item, seed=seed)
    except DataError:
        raise
    except Exception as e:
        result = _failure(e)
    return result, time.perf_counter() - start


def local_evaluation(factory: EvaluatorFactory) -> Callable[[Sequence[Hashable],
                                                             Sequence[int | None]], list[Timed]]:
    """`(items, seeds) -> timed results` in this process, the evaluator resolved once: the
    per-batch path of cheap evaluators, where a lookup costs microseconds."""
    evaluator = evaluator_for(factory)
    batch = getattr(evaluator, "evaluate_batch", None)
    clock = time.perf_counter

    def evaluate(items: Sequence[Hashable], seeds: Sequence[int | None]) -> list[Timed]:
        if batch is not None and len(items) > 1:  # one item: `evaluate` costs less
            start = clock()
            try:
                results = batch(items if isinstance(items, list) else list(items),
                                seeds=seeds if isinstance(seeds, list) else list(seeds))
            except Exception:
                results = None  # isolate the failing item below
            if results is not None and len(results) == len(items):
                wall = (clock() - start) / len(items)
                return [(r, wall) for r in results]
        return [_evaluate_one(factory, x, s) for x, s in zip(items, seeds)]

    return evaluate


def _collect(futures: Sequence[Any]) -> list[Timed]:
    """Results of submitted `_evaluate_one` calls, in order: a lost worker (killed, out of
    memory) becomes a failed result; a DataError stops the run."""
    out: list[Timed] = []
    for f in futures:
        try:
            out.append(f.result())
        except DataError:
            raise
        except Exception as e:
            out.append((_failure(e), 0.0))
    return out


class Executor(ABC):
    """Maps a batch of evaluations somewhere; a result per item, in order, never raising for
    a failed evaluation."""

    workers: int = 1

    @abstractmethod
    def map_timed(self, factory: EvaluatorFactory, items: Sequence[Hashable],
                  seeds: Sequence[int | None]) -> list[Timed]: ...

    def map(self, factory: EvaluatorFactory, items: Sequence[Hashable],
            seeds: Sequence[int | None]) -> list[Result]:
        return [r for r, _ in self.map_timed(factory, items, seeds)]

    def bind(self, factory: EvaluatorFactory) -> Callable[[Sequence[Hashable],
                                                          Sequence[int | None]], list[Timed]]:
        """`map_timed` with the factory fixed."""
        return lambda items, seeds: self.map_timed(factory, items, seeds)

    def completions(self, factory: EvaluatorFactory) -> Completions:
        """Where candidates submitted one at a time are evaluated: one after the other, in
        submission order, unless the executor has workers to keep busy (Dask)."""
        return InOrder(self.bind(factory))

    def close(self) -> None:
        """Release workers; the executor is not used afterwards."""

    def abort(self) -> None:
        """Stop now (Ctrl-C, SIGTERM, an error): evaluations under way are abandoned and
        workers ended, never waited for. Replay redoes what was not journaled."""
        self.close()

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class InProcessExecutor(Executor):
    def map_timed(self, factory, items, seeds):
        return local_evaluation(factory)(items, seeds)

    def bind(self, factory: EvaluatorFactory):
        """`map_timed` with the factory fixed, resolved once."""
        return local_evaluation(factory)


def _start_worker(parent: int) -> None:
    """A pool worker: ends with its parent, leaves Ctrl-C to it."""
    die_with_parent(parent)
    ignore_interrupts()


class ProcessPoolExecutor(Executor):
    """`workers` local processes, each evaluating one item at a time (real training)."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: cf.ProcessPoolExecutor | None = None

    def _executor(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"),
                                                  initializer=_start_worker,
                                                  initargs=(os.getpid(),))
        return self._pool

    def map_timed(self, factory, items, seeds):
        pool = self._executor()
        futures = [pool.submit(_evaluate_one, factory, x, s) for x, s in zip(items, seeds)]
        out = _collect(futures)
        if any(isinstance(f.exception(), cf.process.BrokenProcessPool) for f in futures):
            self.close()  # the next batch gets a fresh pool
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def abort(self) -> None:
        """A training under way may take minutes: end the worker processes instead of
        waiting (the standard pool only offers waiting; its processes are reached directly)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=5)


# --- whole runs in worker processes -----------------------------------------------------------
Emit = Callable[[Any], None]
"""How a task sends messages (journal rows, progress, its end) to the parent: tuples whose
first item is the task id."""


class WorkerFailed(NasdslError):
    """A run worker process died or its task raised something unexpected."""


class TaskFailed(NamedTuple):
    """A task raised: nasdsl's own error travels as it is, anything else as its traceback."""

    task: Any
    error: NasdslError | None
    traceback: str


def _run_worker(target_entry: str, tasks: mp.Queue, out: mp.Queue, parent: int) -> None:
    """A RunPool worker (started through `lifeline.guarded`, so it dies with its parent)."""
    module, _, name = target_entry.partition(":")
    target = getattr(importlib.import_module(module), name)
    ignore_interrupts()

    def emit(message: tuple) -> None:
        if os.getppid() != parent:  # the parent was killed: stop, do not linger
            os._exit(1)
        out.put(message)

    while True:
        try:
            task = tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if task is None:
            return
        tid, payload = task
        try:
            target(payload, emit)
        except BaseException as e:  # report and stop: the parent stops the whole pool
            emit(TaskFailed(tid, e if isinstance(e, NasdslError) else None,
                            "".join(traceback.format_exception(e))))
            return


class RunPool:
    """Runs tasks in `workers` processes, which end when this one does (`nasdsl.lifeline`);
    `target(payload, emit)`, a module-level function, runs one task and `emit`s
    tuples whose first item is the task id. Iterate `messages()` to receive them in the
    parent. The parent must keep reading: workers block on a full pipe otherwise."""

    def __init__(self, target: Callable[[Any, Emit], None], workers: int):
        ctx = mp.get_context("spawn")
        self._tasks: mp.Queue = ctx.Queue()
        self._out: mp.Queue = ctx.Queue()
        parent = os.getpid()
        self._procs = [ctx.Process(target=guarded,
                                   args=(parent, entry_of(_run_worker), entry_of(target),
                                         self._tasks, self._out, parent),
                                   daemon=True)
                       for _ in range(workers)]
        self._open = 0
        try:
            for p in self._procs:
                p.start()
        except BaseException:  # interrupted while starting: end the ones already started
            self.close()
            raise

    def submit(self, tid: Any, payload: Any) -> None:
        self._tasks.put((tid, payload))
        self._open += 1

    def messages(self, done: Callable[[Any], bool]) -> Iterator[Any]:
        """Yield every message until each submitted task sent a message `done` accepts (a
        `TaskFailed` always ends its task)."""
        for _ in self._procs:
            self._tasks.put(None)
        while self._open:
            try:
                message = self._out.get(timeout=0.5)
            except queue.Empty:
                if all(not p.is_alive() for p in self._procs):
                    try:
                        message = self._out.get(timeout=0.5)
                    except queue.Empty:
                        raise WorkerFailed("every run worker exited before its runs finished "
                                           f"(exit codes {[p.exitcode for p in self._procs]})")
                else:
                    continue
            if isinstance(message, TaskFailed) or done(message):
                self._open -= 1
            yield message

    def close(self) -> None:
        for p in self._procs:
            if p.is_alive():
                p.terminate()
        for p in self._procs:
            if p.pid is not None:
                p.join(timeout=5)
        # Tasks nobody will read may still sit in the feeder's buffer: without this, exiting
        # waits forever for the pipe to drain.
        self._tasks.cancel_join_thread()
        self._out.cancel_join_thread()
        self._tasks.close()
        self._out.close()

    def __enter__(self) -> "RunPool":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
