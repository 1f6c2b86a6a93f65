"""`nasdsl status`: progress read from the journal alone, while a run writes it (the run is
neither blocked nor slowed into failure) and after it ended or was killed."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.errors import NasdslError
from nasdsl.report.status import read_status

HERE = Path(__file__).resolve().parent.parent / "runner"

TRAINING = """\
experiment watched
seed = 1
repeat = 2
budget = 8 evaluations
space cell { vertices = 5; edges = 6 }
evaluate "sleepy_evaluator:Sleepy" { expensive = true }
search regularized_evolution { population = 4; sample = 2; mutation = flip(rate = 1.0) }
output = "out"
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NASDSL_TEST_SLEEP": "0.3",
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}


def _status(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`nasdsl status` from the experiment's folder (its output is relative to it)."""
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", "status", str(path)],
                          capture_output=True, text=True, timeout=120, env=env,
                          cwd=path.parent if path.suffix == ".nas" else None)


def _evaluations(text: str) -> int:
    return int(re.search(r"evaluations: ([\d,]+)", text).group(1).replace(",", ""))


def test_status_while_a_run_writes_then_after_it_ends(tmp_path: Path, env):
    exp = tmp_path / "exp.nas"
    exp.write_text(TRAINING)
    journal = tmp_path / "out" / "journal.sqlite"
    run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", str(exp), "--quiet"],
                           cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    seen: list[int] = []
    cli: subprocess.Popen | None = None
    deadline = time.monotonic() + 300
    while run.poll() is None and time.monotonic() < deadline:
        try:
            now = read_status(journal)
        except NasdslError:  # not there yet, or being made (empty, its tables not yet made)
            continue
        if now.writer is not None and now.evaluations and run.poll() is None:
            assert f"pid {run.pid}" in now.writer
            assert now.runs == 2 and now.planned == 16
            seen.append(now.evaluations)
            if cli is None:  # the command too, while the run writes (not waited for here:
                # a loaded machine may take longer to start it than the run takes to end)
                cli = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "status",
                                        str(tmp_path / "out")], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(0.05)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err
    assert len(seen) >= 2, "status never read the running experiment"
    assert seen == sorted(seen) and seen[0] < 16
    assert cli is not None
    cli_out, cli_err = cli.communicate(timeout=120)
    assert cli.returncode == 0, cli_err
    assert "experiment watched:" in cli_out and "of 16 (" in cli_out

    ended = _status(exp, env)
    assert ended.returncode == 0, ended.stderr
    assert "experiment watched: not running" in ended.stdout
    assert "runs: 2 of 2 finished" in ended.stdout
    assert "evaluations: 16 of 16 (100.0%)" in ended.stdout
    status = read_status(journal)
    summary = (tmp_path / "out" / "summary.csv").read_text().splitlines()
    highest = float(summary[1].split(",")[summary[0].split(",").index("highest")])
    assert status.best == pytest.approx(highest)
    assert status.rate is not None and status.rate > 0 and status.eta is None


def test_status_of_a_killed_run_says_it_is_not_running(tmp_path: Path, env):
    exp = tmp_path / "exp.nas"
    exp.write_text(TRAINING)
    journal = tmp_path / "out" / "journal.sqlite"
    run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", str(exp), "--quiet"],
                           cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _evaluations_in(journal) < 3:
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    status = read_status(journal)
    assert status.writer is None and status.running == 1 and status.finished == 0
    assert 3 <= status.evaluations < 16


def _evaluations_in(journal: Path) -> int:
    try:
        return read_status(journal).evaluations
    except NasdslError:  # not there yet, or being made (empty, its tables not yet made)
        return 0


def test_status_without_a_journal_is_refused(tmp_path: Path, capsys):
    assert main(["status", str(tmp_path)]) == 2
    assert "no journal at" in capsys.readouterr().err


def test_status_while_a_run_creates_its_journal_says_no_evaluations_yet(tmp_path: Path, capsys):
    """A run takes the journal's lock, then creates the file: before it, an empty file, then
    nasdsl's marker without tables, then tables without a plan. Each moment is "no
    evaluations yet" (exit 0) while the lock is held, and refused again once it is not."""
    import sqlite3

    from nasdsl.journal.file import APPLICATION_ID
    from nasdsl.journal.lock import WriteLock

    journal = tmp_path / "journal.sqlite"

    def moment() -> tuple[int, str]:
        code = main(["status", str(tmp_path)])
        out, err = capsys.readouterr()
        return code, out + err

    with WriteLock(journal):
        code, text = moment()  # locked, no file yet
        assert code == 0 and "no evaluations yet" in text and f"pid {os.getpid()}" in text
        journal.touch()  # SQLite made the file, wrote nothing yet
        code, text = moment()
        assert code == 0 and "no evaluations yet" in text
        db = sqlite3.connect(journal)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # the marker, no table yet
        db.commit()
        assert moment()[0] == 0
        db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        db.commit()
        db.close()
        code, text = moment()  # the runner's tables exist once it commits its schema
        assert code == 0 and "no evaluations yet" in text
    journal.unlink()
    journal.touch()
    code, text = moment()  # nobody creating it: an empty file is not a journal
    assert code == 2 and "not a nasdsl journal" in text


@pytest.mark.parametrize("per_second, shown", [(250.0, "rate: 250.0 evaluations/s"),
                                              (0.5, "rate: 2.0 s per evaluation"),
                                              (1 / 42, "rate: 42 s per evaluation")])
def test_a_slow_rate_is_said_in_seconds_per_evaluation(per_second, shown):
    from nasdsl.report.status import Status, describe

    status = Status(journal=Path("j.sqlite"), experiment="e", runs=1, finished=0, running=1,
                    evaluations=3, planned=None, best=None, best_run=None, rate=per_second,
                    writer=None)
    assert shown + " (since the first run started)" in describe(status)
