"""TensorFlow's process-wide settings for training: threads and determinism, set once.

TensorFlow fixes its thread pools when it runs its first operation, so `configure` must come
before any training in the process; a later call with other values changes nothing.

On a Dask worker the default is the worker's own thread count (`--nthreads`, one on the local
cluster of `run { workers = N }`), not the machine's cores: TensorFlow would otherwise start a
pool as wide as the machine in every worker, and N workers would share the cores N times over.
"""
from __future__ import annotations

import os
import sys

_DONE: dict[str, object] = {}


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def dask_worker_threads() -> int | None:
    """The thread count of the Dask worker running this code; None outside a worker."""
    if "distributed" not in sys.modules:  # nothing imported Dask: no worker here
        return None
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return None
    state = getattr(worker, "state", worker)
    n = getattr(state, "nthreads", None) or getattr(worker, "nthreads", None)
    return int(n) if n else None


def default_threads() -> int:
    """The Dask worker's threads on a worker, else every core available."""
    return dask_worker_threads() or available_cores()


def configure(threads: int | None = None, deterministic: bool = True) -> int:
    """Use `threads` cores (default: `default_threads`) for one operation and for
    operations side by side, and make kernels deterministic for a seed as far as TensorFlow
    can. Returns the thread count in force."""
    if "threads" in _DONE:
        return int(_DONE["threads"])  # type: ignore[arg-type]
    from nasdsl.quiet_tensorflow import tf

    n = int(threads or default_threads())
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n)
        tf.config.threading.set_inter_op_parallelism_threads(n)
    except RuntimeError:  # TensorFlow already started: keep what it has
        n = tf.config.threading.get_intra_op_parallelism_threads() or n
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    _DONE["threads"] = n
    return n


def gpu_available() -> bool:
    from nasdsl.quiet_tensorflow import tf

    return bool(tf.config.list_physical_devices("GPU"))
