"""Downloads give up on a server that stops sending and leave no partial file (on failure or
Ctrl-C); `check` downloads nothing and opens no connection, and says what `run` would fetch.
Against real servers on 127.0.0.1 that the tests start and stop."""
from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from loopback_http import CountingServer, StallingServer
from nasdsl.dsl import load
from nasdsl.errors import DataError
from nasdsl.runner import plan_problems
from nasdsl.store.download import download
from nasdsl.store.transfer import STALL_ENV
from nasdsl.training import datasets
from nasdsl.training.datasets import fetch, load_dataset

STALL = 1.0  # seconds: the test's stall timeout
BOUND = 20.0  # generous: proves "does not hang" (the default stall timeout is 60 s)


@pytest.fixture
def stalling():
    server = StallingServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv(STALL_ENV, str(STALL))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "usr-share-datasets")
    datasets.forget_loaded()
    yield
    datasets.forget_loaded()


def test_a_dataset_download_that_stalls_is_refused_and_leaves_no_part_file(
        stalling, monkeypatch, tmp_path):
    monkeypatch.setenv(datasets.MIRROR_ENV, stalling.url)
    start = time.monotonic()
    with pytest.raises(DataError) as e:
        load_dataset("mnist", download=True)
    assert time.monotonic() - start < BOUND
    assert f"{stalling.url}mnist.npz: no data for 1 s (stalled)" in str(e.value)
    assert stalling.requests == 1
    cache = tmp_path / "keras-home" / "datasets"
    assert not cache.exists() or not any(cache.iterdir())  # neither the file nor its .part


def test_the_nasbench101_download_that_stalls_is_refused_and_leaves_no_part_file(
        stalling, monkeypatch, tmp_path):
    monkeypatch.setenv("NASDSL_NB101_URL", stalling.url + "nasbench_only108.tfrecord")
    start = time.monotonic()
    with pytest.raises(DataError, match=r"no data for 1 s \(stalled\); nothing was kept"):
        download("only108", tmp_path)
    assert time.monotonic() - start < BOUND
    assert list((tmp_path / "downloads").iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_during_a_download_leaves_no_part_file(stalling, tmp_path, signum):
    """Whatever the parent did with SIGINT (a test runner's worker ignores it), the command
    stops as a run does."""
    env = {**os.environ, "NASDSL_NB101_URL": stalling.url + "f.tfrecord", STALL_ENV: "60"}
    part = tmp_path / "downloads" / "nasbench_only108.tfrecord.part"
    proc = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "data", "nasbench101",
                             "--download", "--data", str(tmp_path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + BOUND
        while not part.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert part.exists(), "the download started"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=BOUND)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 128 + signum and "Traceback" not in err
    assert not part.exists()


def test_a_checksum_mismatch_or_refused_connection_leaves_nothing(tmp_path):
    with pytest.raises(DataError, match="127.0.0.1:9"):
        fetch("http://127.0.0.1:9/x.gz", tmp_path / "d" / "x.gz", "md5", "0" * 32)
    assert list((tmp_path / "d").iterdir()) == []


def test_check_opens_no_connection_and_says_what_run_would_fetch(tmp_path):
    server = CountingServer()
    try:
        nas = tmp_path / "e.nas"
        nas.write_text("experiment e\nbudget = 2 evaluations\n"
                       "space global { layers = 2; ops = [conv3x3]; filters = [8] }\n"
                       "evaluate keras { dataset = mnist; epochs = 1; subset = 100 }\n"
                       "search random { }\n")
        env = {**os.environ, "NASDSL_DATASET_MIRROR": server.url,
               "KERAS_HOME": str(tmp_path / "keras-home"), "NASDSL_DATA": str(tmp_path / "d")}
        checked = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(nas)],
                                 env=env, capture_output=True, text=True, timeout=120)
        strict = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", "--strict",
                                 str(nas)], env=env, capture_output=True, text=True,
                                timeout=120)
    finally:
        server.close()
    assert server.connections == 0
    assert checked.returncode == 0, checked.stderr
    assert (f"`nasdsl run` fetches mnist.npz (11.5 MB) from {server.url} into "
            f"{tmp_path / 'keras-home' / 'datasets'}") in checked.stdout
    assert "nasdsl data mnist --import DIR" in checked.stdout
    assert strict.returncode == 2 and "`nasdsl run` fetches mnist.npz" in strict.stderr
    assert not (tmp_path / "keras-home").exists()  # not even a folder made for it


def test_runs_data_stage_downloads_what_check_only_names(fashion_mnist_dir, monkeypatch,
                                                        tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(fashion_mnist_dir))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv(datasets.MIRROR_ENV, f"http://127.0.0.1:{server.server_port}/")
        nas = tmp_path / "e.nas"
        nas.write_text("experiment e\nbudget = 2 evaluations\n"
                       "space global { layers = 2; ops = [conv3x3]; filters = [8] }\n"
                       "evaluate keras { epochs = 1; subset = 100 }\nsearch random { }\n")
        plan = load(nas)
        (named,) = plan_problems(plan)  # `check`: named, not fetched
        assert "`nasdsl run` fetches train-images-idx3-ubyte.gz" in named
        assert plan_problems(plan, fetch=True) == []  # `run`: fetched, then checked
    finally:
        server.shutdown()
        server.server_close()
    cache = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
