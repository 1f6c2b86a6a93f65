"""Ctrl-C and SIGTERM stop a `nasdsl run` with `workers = 2` promptly: the parent and every
worker process end, the journal stays intact, no traceback or leaked-semaphore warning reaches
the terminal, and rerunning the same command ends exactly as an uninterrupted run.

Each run is driven through a pseudo-terminal with the progress display on, as a user runs it.
A test fails (instead of hanging) when the command does not end within a generous bound."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from terminal import Terminal
from test_kill_resume import _tagged_processes, evaluation_rows, journal_count

HERE = Path(__file__).resolve().parent
HANG = 60.0
"""Seconds after which a command that should have stopped counts as hung."""

LOOKUPS = """\
experiment stop_me
seed = 3
repeat = 40
budget = 200 evaluations
space cell { vertices = 7; edges = 9 }
evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }
search random
search regularized_evolution { population = 20; sample = 5; mutation = flip(rate = 1.0) }
run { workers = 2 }
output = "out"
"""
"""Eighty short runs: more tasks than the pipe to the workers holds, as in a study's grid."""

TRAINING = """\
experiment train_me
seed = 1
repeat = 2
budget = 12 evaluations
space cell { vertices = 5; edges = 6 }
evaluate "sleepy_evaluator:Sleepy" { expensive = true }
search random
run { workers = 2 }
output = "out"
"""
"""An expensive evaluator: each batch is spread over a pool of two processes."""


@pytest.fixture
def env(nb101_store: Path) -> dict[str, str]:
    return {**os.environ, "NASDSL_DATA": str(nb101_store.parent),
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}


def _nasdsl_command(exp: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "nasdsl.cli", "run", str(exp), *args]


def _experiment(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "exp.nas"
    path.write_text(text)
    return path


def _uninterrupted(folder: Path, text: str, env: dict[str, str]) -> str:
    exp = _experiment(folder, text)
    done = subprocess.run(_nasdsl_command(exp, "--quiet"), cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return (folder / "out" / "summary.csv").read_text()


def _finished_runs(journal: Path) -> int:
    return journal_count(journal, "SELECT count(*) FROM runs WHERE status = 'finished'")


def _wait_for(condition, terminal: Terminal, what: str, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if terminal.proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}:\n{terminal.output[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.01)


def _assert_stopped_cleanly(terminal: Terminal, status: int, tag: str, journal: Path) -> str:
    try:
        terminal.proc.wait(timeout=HANG)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running {HANG} s after the signal (hung):\n"
                             f"{terminal.output[-3000:]}") from None
    # Every process that held the terminal (workers, multiprocessing's helpers) let go of it.
    assert terminal.closed(timeout=HANG), "a process still holds the terminal"
    output = terminal.output
    assert terminal.proc.returncode == status, output[-3000:]
    assert "rerun the same command to resume" in output
    assert "Traceback" not in output
    assert "leaked" not in output  # multiprocessing's resource tracker found no leaked semaphore
    deadline = time.monotonic() + 10
    while _tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tagged_processes(tag) == []
    db = sqlite3.connect(journal)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()
    return output


def _stop(exp: Path, env: dict[str, str], how: str, runs: int) -> str:
    """Run `exp` on a terminal, stop it `how` once the journal holds `runs` finished runs,
    check that it stopped cleanly, and return what the terminal showed."""
    journal = exp.parent / "out" / "journal.sqlite"
    tag = uuid.uuid4().hex
    with Terminal(_nasdsl_command(exp), exp.parent, {**env, "NASDSL_KILL_TEST": tag}) as terminal:
        _wait_for(lambda: _finished_runs(journal) >= runs, terminal, f"{runs} finished runs")
        if how == "ctrl-c":
            terminal.type(b"\x03")
            status = 128 + signal.SIGINT
        else:  # as `kill PID` does: the parent alone gets the signal
            os.kill(terminal.proc.pid, signal.SIGTERM)
            status = 128 + signal.SIGTERM
        output = _assert_stopped_cleanly(terminal, status, tag, journal)
    assert ("Ctrl-C" if how == "ctrl-c" else "SIGTERM") in output
    assert "━" in output  # the progress display was on
    return output


def test_ctrl_c_then_sigterm_with_workers_end_every_process_and_resume(
        tmp_path: Path, env: dict[str, str]):
    """Ctrl-C in the terminal, then SIGTERM to the resumed run, then the same command to the
    end: the journal and the summary are an uninterrupted run's."""
    summary = _uninterrupted(tmp_path / "whole", LOOKUPS, env)
    rows = evaluation_rows(tmp_path / "whole" / "out" / "journal.sqlite")
    exp = _experiment(tmp_path / "stopped", LOOKUPS)
    journal = exp.parent / "out" / "journal.sqlite"

    _stop(exp, env, "ctrl-c", runs=2)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(rows) and set(partial) <= set(rows)

    _stop(exp, env, "sigterm", runs=_finished_runs(journal) + 2)
    more = evaluation_rows(journal)
    assert len(partial) < len(more) < len(rows) and set(more) <= set(rows)

    again = subprocess.run(_nasdsl_command(exp, "--quiet"), cwd=exp.parent, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert evaluation_rows(journal) == rows
    assert (exp.parent / "out" / "summary.csv").read_text() == summary


def test_ctrl_c_during_long_evaluations_does_not_wait_for_them(tmp_path: Path,
                                                               env: dict[str, str]):
    """Evaluations that would take a minute each (training) are abandoned, not awaited; the
    rerun evaluates them again and ends as an uninterrupted run."""
    summary = _uninterrupted(tmp_path / "whole", TRAINING, env)
    exp = _experiment(tmp_path / "stopped", TRAINING)
    started = tmp_path / "started"
    started.mkdir()
    tag = uuid.uuid4().hex
    slow = {**env, "NASDSL_KILL_TEST": tag, "NASDSL_TEST_SLEEP": str(2 * HANG),
            "NASDSL_TEST_STARTED": str(started)}
    journal = exp.parent / "out" / "journal.sqlite"
    with Terminal(_nasdsl_command(exp), exp.parent, slow) as terminal:
        _wait_for(lambda: len(list(started.iterdir())) >= 2, terminal,
                  "both workers evaluating")
        terminal.type(b"\x03")
        _assert_stopped_cleanly(terminal, 128 + signal.SIGINT, tag, journal)

    again = subprocess.run(_nasdsl_command(exp, "--quiet"), cwd=exp.parent, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert (exp.parent / "out" / "summary.csv").read_text() == summary


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_ctrl_c_with_a_dask_cluster_stops_promptly(tmp_path: Path, env: dict[str, str]):
    """A real scheduler and two workers on 127.0.0.1 (not nasdsl's to end): the run stops
    without waiting for the evaluations under way, which the scheduler drops."""
    pytest.importorskip("distributed")
    port = _free_port()
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    started = tmp_path / "started"
    started.mkdir()
    cluster_env = {**env, "NASDSL_TEST_SLEEP": "5", "NASDSL_TEST_STARTED": str(started)}
    scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=cluster_env, cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 start_new_session=True)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                               f"tcp://127.0.0.1:{port}", "--nworkers", "2", "--nthreads", "1",
                               "--no-dashboard"], env=cluster_env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        exp = _experiment(tmp_path / "stopped", TRAINING.replace(
            "run { workers = 2 }", f'run {{ cluster = "tcp://127.0.0.1:{port}" }}'))
        journal = exp.parent / "out" / "journal.sqlite"
        tag = uuid.uuid4().hex
        with Terminal(_nasdsl_command(exp), exp.parent, {**env, "NASDSL_KILL_TEST": tag}) as t:
            _wait_for(lambda: len(list(started.iterdir())) >= 2, t, "both workers evaluating")
            t.type(b"\x03")
            _assert_stopped_cleanly(t, 128 + signal.SIGINT, tag, journal)
    finally:
        for p in (worker, scheduler):
            os.killpg(p.pid, signal.SIGTERM)
        for p in (worker, scheduler):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def test_an_interrupted_fresh_run_says_to_rerun_without_fresh(tmp_path: Path,
                                                              env: dict[str, str]):
    """`--fresh` discards the journal and the reports that described it; interrupted, it says
    to rerun without `--fresh`, which resumes and ends as an uninterrupted run."""
    exp = _experiment(tmp_path, TRAINING.replace("run { workers = 2 }", ""))
    out = tmp_path / "out"
    first = subprocess.run(_nasdsl_command(exp, "--quiet"), cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    summary = (out / "summary.csv").read_text()
    (out / "notes.txt").write_text("the user's own file")

    started = tmp_path / "started"
    started.mkdir()
    slow = {**env, "NASDSL_TEST_SLEEP": "0.2", "NASDSL_TEST_STARTED": str(started)}
    fresh = subprocess.Popen(_nasdsl_command(exp, "--fresh", "--quiet"), cwd=tmp_path, env=slow,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while len(list(started.iterdir())) < 13 and time.monotonic() < deadline:  # run 0 done
        assert fresh.poll() is None, fresh.communicate()
        time.sleep(0.02)
    fresh.send_signal(signal.SIGTERM)
    _, stderr = fresh.communicate(timeout=HANG)
    assert fresh.returncode == 128 + signal.SIGTERM, stderr
    assert "rerun without --fresh to resume" in stderr
    # the reports are gone; the list of nasdsl's files stays (empty): the folder is still its own
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith("journal")) == [
        ".nasdsl-files", "notes.txt"]
    kept = evaluation_rows(out / "journal.sqlite")
    assert len(kept) == 12  # the first run, committed with its batch

    again = subprocess.run(_nasdsl_command(exp, "--quiet"), cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "1 run already finished" in again.stdout  # resumed, not discarded
    assert (out / "summary.csv").read_text() == summary


def test_ctrl_c_says_which_command_writes_the_report_of_what_finished(tmp_path: Path,
                                                                      monkeypatch, capsys):
    """SIGINT, as Ctrl-C sends it: the run stops at once, says in one line how to resume and
    which command writes the report of what it finished; that command writes it and says
    where `report.html` is."""
    from live_runs import end, live_run

    from nasdsl.cli import main

    run, _ = live_run(tmp_path, "out", sleep=0.05, started=4)  # 3 evaluations journaled
    try:
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=HANG)
    finally:
        end(run)
    assert run.returncode == 128 + signal.SIGINT
    assert stderr == ("interrupted (Ctrl-C); rerun the same command to resume; "
                      "`nasdsl report out` writes the report of what finished\n")
    monkeypatch.chdir(tmp_path)
    assert main(["report", "out"]) == 0
    assert "report written to out/report.html" in capsys.readouterr().out
    assert (tmp_path / "out" / "report.html").is_file()
