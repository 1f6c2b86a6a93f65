"""Faults on a real Dask cluster (`dask scheduler` and two `dask worker` processes on
127.0.0.1): a worker killed mid-evaluation, a scheduler that goes away, a worker without
the data. Nothing is lost or journaled twice, and a rerun ends as an uninterrupted run."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cluster_toys import traced
from dask_processes import dask_processes
from test_kill_resume import _journal_rows, evaluation_rows

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent

TRAINING = """\
experiment faults
seed = 1
repeat = 3
budget = 12 evaluations
space cell { vertices = 5; edges = 6 }
evaluate "cluster_toys:Counted"
search random
output = "out"
"""

LOOKUPS = """\
experiment lookups
seed = 3
repeat = 2
budget = 100 evaluations
space cell { vertices = 7; edges = 9 }
evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }
search random
output = "out"
"""


@pytest.fixture
def env(nb101_store: Path) -> dict[str, str]:
    return {**os.environ, "NASDSL_DATA": str(nb101_store.parent),
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}


def _experiment(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exp.nas").write_text(text)
    return folder / "exp.nas"


def _nasdsl(exp: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "nasdsl.cli", "run", str(exp), "--quiet", *args]


def _run(exp: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_nasdsl(exp, *args), cwd=exp.parent, env=env, capture_output=True,
                          text=True, timeout=600)


def _reference(folder: Path, text: str, env: dict[str, str]) -> tuple[list[tuple], str]:
    exp = _experiment(folder, text)
    done = _run(exp, env)
    assert done.returncode == 0, done.stderr
    return evaluation_rows(folder / "out" / "journal.sqlite"), (folder / "out" /
                                                                 "summary.csv").read_text()


def _wait(condition, what: str, proc: subprocess.Popen | None = None, timeout=300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}: {proc.communicate()}")
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def test_a_worker_killed_mid_evaluation_loses_and_duplicates_nothing(tmp_path, env):
    rows, summary = _reference(tmp_path / "whole", TRAINING, env)
    trace = tmp_path / "trace"
    trace.mkdir()
    slow = {**env, "NASDSL_TEST_SLEEP": "1.0", "NASDSL_TEST_TRACE": str(trace)}
    exp = _experiment(tmp_path / "killed", TRAINING)
    with dask_processes(tmp_path, slow) as cluster:
        run = subprocess.Popen(_nasdsl(exp, "--cluster", cluster.address), cwd=exp.parent,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        _wait(lambda: len(traced(trace, "eval")) >= 3, "evaluations under way", run)
        newest = max((p for p in trace.iterdir() if p.name.startswith("eval")),
                     key=lambda p: p.stat().st_mtime_ns)
        victim = int(newest.name.split("-")[1])
        os.kill(victim, signal.SIGKILL)  # asleep in its evaluation
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    assert evaluation_rows(exp.parent / "out" / "journal.sqlite") == rows
    assert (exp.parent / "out" / "summary.csv").read_text() == summary
    evaluated = traced(trace, "eval")
    assert victim in evaluated
    assert len(evaluated) > len(rows)  # the killed evaluation ran again


def test_a_worker_that_dies_each_time_fails_the_evaluation(tmp_path, env):
    """With the scheduler's limit at no death survived, the killed evaluation is `failed`,
    named so in the journal, and the search goes on."""
    trace = tmp_path / "trace"
    trace.mkdir()
    slow = {**env, "NASDSL_TEST_SLEEP": "1.0", "NASDSL_TEST_TRACE": str(trace)}
    exp = _experiment(tmp_path / "killed", TRAINING.replace("repeat = 3", "repeat = 1"))
    with dask_processes(tmp_path, slow, workers=1,
                        scheduler_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
                        ) as cluster:
        run = subprocess.Popen(_nasdsl(exp, "--cluster", cluster.address), cwd=exp.parent,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        _wait(lambda: len(traced(trace, "eval")) >= 2, "evaluations under way", run)
        os.kill(traced(trace, "eval")[0], signal.SIGKILL)
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    rows = evaluation_rows(exp.parent / "out" / "journal.sqlite")
    assert [r[1] for r in rows] == list(range(12))
    failed = [r for r in rows if r[6] == "failed"]
    assert failed and all("Dask worker died each time it ran" in r[7] for r in failed)
    assert len(failed) <= 2  # the one evaluating and, at most, one queued behind it


def test_a_lost_scheduler_stops_the_run_and_a_new_one_resumes_it(tmp_path, env):
    rows, summary = _reference(tmp_path / "whole", TRAINING, env)
    slow = {**env, "NASDSL_TEST_SLEEP": "0.3"}
    exp = _experiment(tmp_path / "lost", TRAINING)
    journal = exp.parent / "out" / "journal.sqlite"
    with dask_processes(tmp_path, slow) as cluster:
        run = subprocess.Popen(_nasdsl(exp, "--cluster", cluster.address), cwd=exp.parent,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        _wait(lambda: _journal_rows(journal) >= 12, "a run journaled", run)
        os.killpg(cluster.scheduler.pid, signal.SIGKILL)
        out, err = run.communicate(timeout=120)
    assert run.returncode == 1, (out, err)
    assert "lost the Dask scheduler at tcp://127.0.0.1:" in err
    assert "Traceback" not in err
    db = sqlite3.connect(journal)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    kept = evaluation_rows(journal)
    assert 12 <= len(kept) < len(rows) and set(kept) <= set(rows)

    with dask_processes(tmp_path, env) as again:
        done = _run(exp, env, "--cluster", again.address)
    assert done.returncode == 0, done.stderr
    assert evaluation_rows(journal) == rows
    assert (exp.parent / "out" / "summary.csv").read_text() == summary


def test_a_worker_without_the_data_fails_the_run_naming_it(tmp_path, env):
    empty = tmp_path / "no-data"
    empty.mkdir()
    exp = _experiment(tmp_path / "exp", LOOKUPS)
    with dask_processes(tmp_path, {**env, "NASDSL_DATA": str(empty)}) as cluster:
        done = _run(exp, env, "--cluster", cluster.address)
    assert done.returncode == 1, done.stderr
    assert "Dask worker tcp://127.0.0.1:" in done.stderr
    assert str(empty / "nasbench101") in done.stderr
    assert "Traceback" not in done.stderr
