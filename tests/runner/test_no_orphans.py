"""Workers end when their parent does. A worker blocked where no check of its parent can run
— on a pipe whose other end is gone, here a task that never returns — must still end when
its parent is killed with `kill -9`, for every kind of worker: whole runs (`RunPool`), single
evaluations (the process-pool executor), and the local Dask cluster's worker processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from test_kill_resume import _tagged_processes

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")

PARENT = """
import sys, time
sys.path.insert(0, {here!r})
import orphan_toys
orphan_toys.{entry}()
"""


@pytest.mark.parametrize("entry", ["run_pool_of_blocked_runs", "executor_of_blocked_evaluations",
                                   pytest.param("local_dask_of_blocked_evaluations",
                                                marks=pytest.mark.slow)])
def test_kill_9_of_the_parent_ends_its_blocked_workers(entry):
    tag = uuid.uuid4().hex
    env = {**os.environ, "NASDSL_ORPHAN_TEST": tag}
    parent = subprocess.Popen([sys.executable, "-c", PARENT.format(here=str(HERE), entry=entry)],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "workers blocked"
        workers = [p for p in _tagged_processes(tag) if p != parent.pid]
        assert len(workers) >= 2
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _tagged_processes(tag) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _tagged_processes(tag) == []
    finally:
        for pid in _tagged_processes(tag):  # whatever failed above, leave nothing running
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if parent.poll() is None:
            parent.kill()
            parent.wait()
