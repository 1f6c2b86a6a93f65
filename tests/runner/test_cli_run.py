"""`nasdsl run` end to end on NAS-Bench-101, as a user runs it: real subprocesses, real files,
the store imported from the shared table (`NASDSL_DATA` points at it)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from test_kill_resume import _tagged_processes, evaluation_rows, kill_when_journaled

EXPERIMENT = """\
experiment kill_me
seed = 3
repeat = 2
budget = {budget} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = {fitness}; report = [test_accuracy] }}
search random
search regularized_evolution {{ population = 20; sample = 5; mutation = {mutation} }}
run {{ workers = {workers} }}
output = "out"
"""


@pytest.fixture
def env(nb101_store: Path) -> dict[str, str]:
    return {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}


def _write(folder: Path, budget: int = 300, fitness: str = "test_accuracy",
           mutation: str = "flip(rate = 1.0)", workers: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "exp.nas"
    path.write_text(EXPERIMENT.format(budget=budget, fitness=fitness, mutation=mutation,
                                      workers=workers))
    return path


def _nasdsl(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *map(str, args)], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_kill_9_then_rerun_gives_the_uninterrupted_summary(tmp_path: Path, env: dict[str, str]):
    budget = 3000
    whole = _write(tmp_path / "whole", budget=budget, workers=2)
    done = _nasdsl("run", whole, "--quiet", env=env, cwd=whole.parent)
    assert done.returncode == 0, done.stderr
    reference = evaluation_rows(whole.parent / "out" / "journal.sqlite")
    assert len(reference) == 4 * budget

    killed = _write(tmp_path / "killed", budget=budget, workers=2)
    tag = uuid.uuid4().hex
    tagged = {**env, "NASDSL_KILL_TEST": tag}
    journal = killed.parent / "out" / "journal.sqlite"
    command = [sys.executable, "-m", "nasdsl.cli", "run", str(killed), "--quiet"]
    kill_when_journaled(command, journal, tagged, cwd=killed.parent)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(reference) and set(partial) <= set(reference)
    deadline = time.monotonic() + 10
    while _tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tagged_processes(tag) == []

    again = _nasdsl("run", killed, "--quiet", env=env, cwd=killed.parent)
    assert again.returncode == 0, again.stderr
    assert evaluation_rows(journal) == reference
    summary = (killed.parent / "out" / "summary.csv").read_text()
    assert summary == (whole.parent / "out" / "summary.csv").read_text()


def test_data_problem_refuses_the_file_with_exit_2(tmp_path: Path, env: dict[str, str]):
    exp = _write(tmp_path, fitness="validation_accuracy")
    done = _nasdsl("run", exp, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "validation_accuracy" in done.stderr and "test_accuracy" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything was evaluated


def test_changed_file_is_refused_then_fresh_starts_over(tmp_path: Path, env: dict[str, str]):
    exp = _write(tmp_path)
    assert _nasdsl("run", exp, "--quiet", env=env, cwd=tmp_path).returncode == 0
    rerun = _nasdsl("run", exp, env=env, cwd=tmp_path)
    assert rerun.returncode == 0 and "4 runs already finished" in rerun.stdout

    _write(tmp_path, mutation="flip(rate = 0.5)")
    refused = _nasdsl("run", exp, env=env, cwd=tmp_path)
    assert refused.returncode == 2  # a refused input, as the tutorial says
    assert "regularized_evolution changed (settings)" in refused.stderr
    assert "--fresh" in refused.stderr

    fresh = _nasdsl("run", exp, "--fresh", "--quiet", env=env, cwd=tmp_path)
    assert fresh.returncode == 0, fresh.stderr
    db = sqlite3.connect(tmp_path / "out" / "journal.sqlite")
    assert db.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 4 * 300
    assert "rate = 0.5" in db.execute("SELECT value FROM meta WHERE key = 'source'").fetchone()[0]


def test_output_option_and_plain_log_lines(tmp_path: Path, env: dict[str, str]):
    exp = _write(tmp_path)
    done = _nasdsl("run", exp, "--output", tmp_path / "elsewhere", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "elsewhere" / "journal.sqlite").is_file()
    lines = done.stdout.splitlines()
    assert lines[0] == "kill_me: 4 runs to do"
    assert sum(" evaluations, best 0." in line for line in lines) == 4


def test_unwritable_output_exits_1_with_a_clear_message(tmp_path: Path, env: dict[str, str]):
    exp = _write(tmp_path)
    (tmp_path / "blocked").write_text("a file where a folder should be")
    done = _nasdsl("run", exp, "--output", tmp_path / "blocked" / "out", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot create the journal" in done.stderr and "Not a directory" in done.stderr


def test_full_disk_exits_1_and_leaves_an_intact_journal(tmp_path: Path, env: dict[str, str]):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    try:
        exp = _write(tmp_path, budget=1000)
        done = _nasdsl("run", exp, "--output", disk / "out", env=env, cwd=tmp_path)
        assert done.returncode == 1
        assert "disk is full" in done.stderr
        assert "holds every evaluation committed before this error" in done.stderr
        journal = disk / "out" / "journal.sqlite"
        db = sqlite3.connect(f"{journal.as_uri()}?mode=ro", uri=True)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = db.execute("SELECT run, status, evaluations FROM runs").fetchall()
        counts = dict(db.execute("SELECT run, count(*) FROM evaluations GROUP BY run"))
        db.close()
        for run, status, n in runs:
            if status == "finished":
                assert counts.get(run) == n == 1000
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_search_that_cannot_run_here_is_refused_before_the_journal(tmp_path: Path,
                                                                     env: dict[str, str]):
    """Where a search's library is missing (its class says so when built), `check` accepts
    the file but warns; `run` refuses it, exit 2, naming the algorithm, and creates no
    journal."""
    package = tmp_path / "package"
    package.mkdir()
    (package / "later_search.py").write_text(
        "from nasdsl.optimizers.base import Optimizer\n"
        "from nasdsl.registry import ComponentError\n"
        "class LaterSearch(Optimizer):\n"
        "    name = 'later'\n"
        "    parameters = ()\n"
        "    def __init__(self, space):\n"
        "        raise ComponentError(\"algorithm 'later' is not available here: \"\n"
        "                             \"it needs later_lib\")\n"
        "    def search(self, evaluate_batch, budget, rng):\n"
        "        raise AssertionError('never built')\n")
    env = {**env, "PYTHONPATH": os.pathsep.join(
        [str(package), *filter(None, [env.get("PYTHONPATH")])])}
    path = tmp_path / "exp.nas"
    path.write_text("experiment later\nbudget = 50 evaluations\nspace cell { topology = chain }\n"
                    "evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }\n"
                    "search \"later_search:LaterSearch\"\nsearch random\noutput = \"out\"\n")
    checked = _nasdsl("check", path, env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "algorithm 'later' is not available here" in checked.stdout + checked.stderr
    done = _nasdsl("run", path, "--quiet", env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "cannot run" in done.stderr and "algorithm 'later' is not available here" in done.stderr
    assert not (tmp_path / "out").exists()
