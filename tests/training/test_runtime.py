"""TensorFlow's thread count by default: every core in a plain process, the worker's own
threads on a Dask worker (one on the local cluster of `run { workers = N }`), so that N
workers do not each start a pool as wide as the machine."""
from __future__ import annotations

import logging

import pytest

from nasdsl.training import runtime

distributed = pytest.importorskip("distributed")


def test_outside_a_worker_every_available_core():
    assert runtime.dask_worker_threads() is None
    assert runtime.default_threads() == runtime.available_cores()


@pytest.mark.parametrize("threads", [1, 3])
def test_on_a_dask_worker_its_own_thread_count(threads):
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=threads,
                            dashboard_address=":0", silence_logs=logging.CRITICAL) as client:
        got = client.submit(runtime.default_threads, pure=False).result(timeout=60)
    assert got == threads
