"""Evaluations on Dask: an existing scheduler (`run { cluster }`, `--cluster`) or a local
cluster of single-threaded worker processes (`run { workers = N }` with an expensive
evaluator), never a scheduler of nasdsl's own.

What travels to a worker is the evaluator's spec (an `EvaluatorFactory`), never the evaluator:
each worker process builds it on first use and keeps it (`evaluator_for`, keyed by the spec),
so a benchmark store or a dataset is loaded from its path once per worker. A worker that
cannot load it stops the run (`WorkerDataError`, naming the worker and the path).

Faults: a worker that dies mid-evaluation (killed, out of memory) has its evaluation started
again on another worker by the scheduler; after `ALLOWED_FAILURES` such deaths the evaluation
is `failed`. An evaluation that raises is `failed` with the worker's traceback. A scheduler
that goes away stops the run (`ClusterLost`): nothing of the lost batch is journaled, and a
rerun, against the same or another scheduler, resumes.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import signal
import threading
import traceback
from collections import deque
from concurrent.futures import CancelledError
from typing import Any, Callable, Hashable, Iterator, Sequence, TypeVar

from nasdsl.errors import DataError, NasdslError
from nasdsl.execution import (EvaluatorFactory, Executor, InProcessExecutor,
                              ProcessPoolExecutor, _evaluate_one)
from nasdsl.evaluation.batch import Timed
from nasdsl.result import Result

ALLOWED_FAILURES = 2
"""Deaths of its worker an evaluation survives (it is started again elsewhere); one more and
it is `failed`. Applies to the local cluster; an existing scheduler keeps its own setting
(`distributed.scheduler.allowed-failures`, 3 by default)."""
RECONNECT_SECONDS = 10.0
"""How long a run waits for a scheduler it lost (or cannot reach) before it stops."""

T = TypeVar("T")


class ClusterLost(NasdslError):
    """The Dask scheduler cannot be reached (gone mid-run, or never there)."""


class WorkerDataError(NasdslError):
    """A Dask worker could not load the data its evaluator reads (a store, a dataset)."""


def worker_name() -> str:
    """The address of the Dask worker running this code ("this process" elsewhere)."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "this process"


def on_worker(call: Callable[..., T], *args: Any) -> T:
    """`call(*args)` on a worker: data it cannot load becomes a `WorkerDataError` naming
    the worker (the message of a DataError names the path)."""
    try:
        return call(*args)
    except DataError as e:
        raise WorkerDataError(f"Dask worker {worker_name()} cannot load the data its "
                              f"evaluations need: {e}") from None


def evaluate_on_worker(factory: EvaluatorFactory, item: Hashable, seed: int | None) -> Timed:
    """One evaluation on a worker (the evaluator built once per worker process); a failed
    evaluation's error names the worker after its traceback."""
    result, wall = on_worker(_evaluate_one, factory, item, seed)
    if result.status == "failed":
        result = dataclasses.replace(result,
                                     error=f"{result.error}\n(on Dask worker {worker_name()})")
    return result, wall


def killed_worker_type() -> type[BaseException]:
    from distributed.scheduler import KilledWorker

    return KilledWorker


def lost(address: str, why: str = "") -> ClusterLost:
    more = f" ({why})" if why else ""
    return ClusterLost(f"lost the Dask scheduler at {address}{more}; the journal keeps every "
                       "evaluation committed before, and a rerun resumes (with `--cluster "
                       "ADDRESS` to use another scheduler)")


PROBE_SECONDS = 5.0
"""How long the first word of a scheduler may take (a Dask scheduler greets at once)."""
HANDSHAKE_BYTES = 1 << 20
"""Most bytes a Dask handshake announces: anything larger is not a Dask scheduler talking."""


class NotAScheduler(ConnectionError):
    """Something listens at the address but does not speak as a Dask scheduler."""


def address_problem(address: str) -> str | None:
    """Why `address` cannot be a scheduler's address (`tcp://HOST:PORT`, `HOST:PORT`,
    `tls://…`, or another Dask transport's `scheme://…`), or None. No connection is made."""
    from urllib.parse import urlsplit

    scheme, sep, rest = address.strip().rpartition("://")
    if sep and not scheme:
        return "a scheme is missing before `://`"
    if scheme not in ("", "tcp", "tls"):
        return None  # another transport (inproc, ucx, ws): Dask judges it
    try:
        parts = urlsplit(f"//{rest}")
        host, port = parts.hostname, parts.port
    except ValueError as e:
        return f"not of the form tcp://HOST:PORT ({e})"
    if not host or port is None or parts.path or parts.query or parts.fragment:
        return "not of the form tcp://HOST:PORT (such as tcp://10.0.0.5:8786)"
    return None


def connect(address: str) -> Any:
    """A client of the scheduler at `address`; `ClusterLost` when none answers within
    about `RECONNECT_SECONDS`. Only a server that greets as a Dask scheduler reaches Dask's
    client (`_probe`): Dask would read any other server's first bytes as a frame length."""
    from distributed import Client

    quiet_dask()
    problem = address_problem(address)
    if problem is not None:
        raise ClusterLost(f"`{address}` is no Dask scheduler address: {problem}")
    try:
        _probe(address)  # a client that fails to connect lingers and complains when collected
        return Client(address, timeout=RECONNECT_SECONDS, set_as_default=False)
    except NotAScheduler as e:
        raise ClusterLost(f"the server at {address} is not a Dask scheduler ({e}); give a "
                          "scheduler's address with `run { cluster }` or `--cluster`") from None
    except (OSError, TimeoutError, ValueError) as e:
        raise ClusterLost(f"cannot reach a Dask scheduler at {address} ({e}); start one "
                          "(`dask scheduler`) or give its address with `run { cluster }` or "
                          "`--cluster`") from None


def _probe(address: str) -> None:
    """Raise OSError when nothing listens at a tcp:// (or bare host:port) address within
    `PROBE_SECONDS`, `NotAScheduler` when what listens does not greet as a Dask scheduler
    does: its first 8 bytes are the length of its handshake."""
    import socket
    import struct
    from urllib.parse import urlsplit

    scheme, _, rest = address.strip().rpartition("://")
    if scheme not in ("", "tcp", "tls"):
        return
    parts = urlsplit(f"//{rest}")
    with socket.create_connection((parts.hostname, parts.port), timeout=PROBE_SECONDS) as sock:
        if scheme == "tls":
            return  # the greeting is encrypted: Dask's client judges it
        head = b""
        try:
            while len(head) < 8:
                more = sock.recv(8 - len(head))
                if not more:
                    raise NotAScheduler("it closed the connection without a word")
                head += more
        except TimeoutError:
            raise NotAScheduler(f"it accepted the connection but said nothing within "
                                f"{PROBE_SECONDS:g} s") from None
    (length,) = struct.unpack("Q", head)
    if not 0 < length <= HANDSHAKE_BYTES:
        raise NotAScheduler(f"its first bytes {head!r} are no Dask handshake")


def quiet_dask() -> None:
    """Dask's own logging off in this process: a lost connection logs tracebacks there, and
    nasdsl says what happened itself, in one sentence."""
    names = [n for n in logging.root.manager.loggerDict
             if n.split(".")[0] in ("distributed", "tornado")]
    for name in ("distributed", "tornado", *names):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def _workers_ignore_interrupts() -> Iterator[None]:
    """Worker processes started in here inherit an ignored SIGINT (Python keeps it ignored):
    Ctrl-C in a terminal reaches the whole process group, and it is the parent's to handle,
    which ends the workers itself."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class DaskExecutor(Executor):
    """Each evaluation of a batch is a task of a Dask `distributed.Client` (an existing
    scheduler's address, a client made by the caller, or a local cluster this executor
    starts: `DaskExecutor.local(n)`)."""

    def __init__(self, client_or_address: Any, cluster: Any = None):
        from distributed import Client

        self._cluster = cluster
        self._own = not isinstance(client_or_address, Client)
        self.client = connect(client_or_address) if self._own else client_or_address
        self.address = str(getattr(self.client.scheduler, "address", client_or_address))
        self.workers = max(len(self.client.scheduler_info().get("workers", {})), 1)

    @classmethod
    def local(cls, workers: int) -> "DaskExecutor":
        """A local cluster of `workers` processes of one thread each (training in each
        worker then has a core of its own), ended with the executor."""
        import dask
        from distributed import LocalCluster

        settings = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                    # one evaluation per worker thread at a time: none waits on a busy worker
                    # while another is free, and a worker's death takes one evaluation along
                    "distributed.scheduler.worker-saturation": 1.0}
        with dask.config.set(settings), _workers_ignore_interrupts():
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=":0",
                                   silence_logs=logging.CRITICAL)
        try:
            return cls(cluster.scheduler_address, cluster=cluster)
        except BaseException:
            cluster.close()
            raise

    def map_timed(self, factory, items, seeds):
        """Each result is fetched as soon as it is ready and its task released: a worker
        that dies afterwards holds nothing the scheduler would compute again."""
        from distributed import as_completed

        futures = self.client.map(evaluate_on_worker, [factory] * len(items), list(items),
                                  list(seeds), pure=False)
        where = {f.key: i for i, f in enumerate(futures)}
        pending = set(futures)
        out: list[Timed | None] = [None] * len(futures)
        del futures
        try:
            for future in as_completed(list(pending), loop=self.client.loop):
                out[where[future.key]] = self._outcome(future)
                pending.discard(future)
                future.release()
        except BaseException:  # interrupted or stopped: the scheduler drops the rest
            with contextlib.suppress(Exception):
                self.client.cancel(list(pending), force=True)
            raise
        return [timed for timed in out if timed is not None]

    def completions(self, factory: EvaluatorFactory) -> "DaskCompletions":
        """Candidates submitted one at a time, evaluated on the workers as they free up,
        handed back in the order they finish."""
        return DaskCompletions(self, factory)

    def _outcome(self, future: Any) -> Timed:
        try:
            return future.result()
        except NasdslError:
            raise
        except CancelledError:
            raise lost(self.address) from None
        except killed_worker_type() as e:
            return Result.failed(f"its Dask worker died each time it ran (killed, or out of "
                                 f"memory), the last one {e}"), 0.0
        except Exception as e:
            if self.client.status not in ("running", "connecting"):
                raise lost(self.address, f"{type(e).__name__}: {e}") from None
            return Result.failed("".join(traceback.format_exception(e)).rstrip()), 0.0

    def close(self) -> None:
        if self._own:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def abort(self) -> None:
        if self._own:
            with contextlib.suppress(Exception):
                self.client.close(timeout=2)
        if self._cluster is not None:  # a training under way may take minutes: end it now
            for nanny in list(getattr(self._cluster, "workers", {}).values()):
                with contextlib.suppress(Exception):
                    nanny.auto_restart = False
                    os.kill(nanny.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self._cluster.close(timeout=5)


class DaskCompletions:
    """Submitted evaluations as Dask tasks, at most one per worker at a time (the rest wait
    here, so a task waits on no busy worker while another is free), handed back in the
    order they finish (`distributed.as_completed`). A known result (a repeat) completes at
    once. Failures read as in `DaskExecutor.map_timed`."""

    def __init__(self, executor: DaskExecutor, factory: EvaluatorFactory):
        from distributed import as_completed

        self.slots = executor.workers
        self._executor = executor
        self._factory = factory
        self._waiting: deque[tuple[int, Hashable, int]] = deque()
        self._ready: deque[tuple[int, Timed]] = deque()
        self._running: dict[str, tuple[int, Any]] = {}
        # results come with the completions, fetched by Dask's loop: no round trip each
        self._finished = as_completed(loop=executor.client.loop, with_results=True,
                                      raise_errors=False)

    def submit(self, index: int, item: Hashable, seed: int, known: Timed | None = None) -> None:
        if known is not None:
            self._ready.append((index, known))
            return
        self._waiting.append((index, item, seed))
        self._start()

    def _start(self) -> None:
        client = self._executor.client
        while self._waiting and len(self._running) < self.slots:
            index, item, seed = self._waiting.popleft()
            future = client.submit(evaluate_on_worker, self._factory, item, seed, pure=False)
            self._running[future.key] = (index, future)
            self._finished.add(future)

    def next(self) -> tuple[int, Timed]:
        if self._ready:
            return self._ready.popleft()
        future, result = next(self._finished)
        index, _ = self._running.pop(future.key)
        timed = result if future.status == "finished" else self._executor._outcome(future)
        future.release()  # nothing held on a worker for the scheduler to redo
        self._start()
        return index, timed

    def cancel(self) -> None:
        futures = [future for _, future in self._running.values()]
        self._waiting.clear()
        self._ready.clear()
        self._running.clear()
        self._finished.clear()
        with contextlib.suppress(Exception):
            self._executor.client.cancel(futures, force=True)


def dask_installed() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def make_executor(workers: int = 1, cluster: str | None = None) -> Executor:
    """The executor of expensive evaluations that `run { workers, cluster }` asks for: the
    scheduler at `cluster`; else, with several workers, a local Dask cluster (a process pool
    where Dask is not installed); else this process."""
    if cluster:
        return DaskExecutor(cluster)
    if workers > 1:
        return DaskExecutor.local(workers) if dask_installed() else ProcessPoolExecutor(workers)
    return InProcessExecutor()
