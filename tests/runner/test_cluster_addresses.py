"""`--cluster` at anything but a Dask scheduler is refused with one sentence within about
10 s, never a traceback, a hang or a huge allocation: a garbage address, a closed port, an
HTTP server (Dask would read its reply as a 3 EiB frame length) and a server that accepts
and never replies. The servers are real loopback servers this test starts and stops."""
from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

from nasdsl.cluster import address_problem

EVALUATOR = """\
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Half(Evaluator):
    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        return Result(fitness=0.5, metrics={"accuracy": 0.5})
"""


def _experiment(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "half.py").write_text(EVALUATOR)
    path = folder / "exp.nas"
    path.write_text("experiment cluster\nbudget = 4 evaluations\nspace cell { vertices = 7 }\n"
                    'evaluate "half:Half" { }\nsearch random\n'
                    f'output = "{folder / "out"}"\n')
    return path


def _start(exp: Path, address: str) -> tuple[subprocess.Popen, float]:
    return (subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", "--quiet",
                              "--cluster", address, str(exp)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=exp.parent),
            time.monotonic())


def _refused(started: tuple[subprocess.Popen, float], codes=(1,)) -> str:
    process, t0 = started
    try:
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    elapsed = time.monotonic() - t0
    assert process.returncode in codes, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert elapsed < 15, f"took {elapsed:.1f} s"  # "within about 10 s": it does not hang
    return lines[0]


@pytest.fixture
def http_server() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts every connection and never writes a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(10)
    for conn in accepted:
        conn.close()
    listener.close()


def test_servers_that_are_not_schedulers_are_refused_in_one_sentence(
        tmp_path: Path, http_server: int, silent_server: int):
    runs = [_start(_experiment(tmp_path / name), f"tcp://127.0.0.1:{port}")  # side by side
            for name, port in (("http", http_server), ("silent", silent_server))]
    for run in runs:
        line = _refused(run)
        assert "is not a Dask scheduler" in line and "said nothing within 5 s" in line


def test_a_closed_port_and_a_garbage_address_are_refused_at_once(tmp_path: Path):
    exp = _experiment(tmp_path)
    with socket.socket() as s:  # a port the OS just gave and took back: nothing listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    closed = _refused(_start(exp, f"tcp://127.0.0.1:{port}"))
    assert "cannot reach a Dask scheduler" in closed and "refused" in closed
    garbage = _start(exp, "garbage")
    process, _ = garbage
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "Traceback" not in err
    assert "'garbage' is no scheduler address: not of the form tcp://HOST:PORT" in err


def test_a_garbage_cluster_in_the_file_is_refused_at_its_line(tmp_path: Path):
    from nasdsl.dsl import load
    from nasdsl.errors import DslError

    exp = _experiment(tmp_path)
    exp.write_text(exp.read_text() + 'run { cluster = "garbage" }\n')
    with pytest.raises(DslError, match="is no scheduler address") as info:
        load(exp)
    assert (info.value.line, info.value.column) == (7, 17)


@pytest.mark.parametrize("address, ok", [
    ("tcp://10.0.0.5:8786", True), ("10.0.0.5:8786", True), ("tls://host:8786", True),
    ("tcp://[::1]:8786", True), ("inproc://whatever", True), ("garbage", False),
    ("tcp://host", False), ("tcp://host:port", False), ("://host:1", False),
    ("tcp://host:8786/path", False)])
def test_addresses_are_judged_without_connecting(address, ok):
    assert (address_problem(address) is None) is ok
