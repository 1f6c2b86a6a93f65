"""A real Dask cluster for tests: `dask scheduler` and two `dask worker` processes on
127.0.0.1 (free ports), each worker one thread, each in its own session so a test can kill
one without touching the others; all ended when the block ends."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def end(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in processes:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def workers_of(address: str) -> int:
    from distributed import Client

    with Client(address, timeout=30) as client:
        return len(client.scheduler_info()["workers"])


class DaskProcesses:
    """The scheduler's address and its processes (`scheduler`, `workers`)."""

    def __init__(self, cwd: Path, env: dict[str, str], workers: int = 2,
                 scheduler_env: dict[str, str] | None = None):
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        self.scheduler = _start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-dashboard"],
                                {**env, **(scheduler_env or {})}, cwd)
        self.workers = [_start(["distributed.cli.dask_worker", self.address, "--nthreads", "1",
                                "--host", "127.0.0.1", "--no-dashboard"], env, cwd)
                        for _ in range(workers)]
        deadline = time.monotonic() + 120
        while True:
            try:
                if workers_of(self.address) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise AssertionError(f"no Dask cluster with {workers} workers within 120 s")
            time.sleep(0.5)

    def close(self) -> None:
        end([*self.workers, self.scheduler])


@contextlib.contextmanager
def dask_processes(cwd: Path, env: dict[str, str], **kwargs) -> Iterator[DaskProcesses]:
    cluster = DaskProcesses(cwd, env, **kwargs)
    try:
        yield cluster
    finally:
        cluster.close()
