"""`kill -9` at a random moment, then the same command again: the journal ends up exactly as
an uninterrupted run's, with no evaluation lost or duplicated. Real subprocesses throughout."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

_SCRIPT = """
import sys
sys.path.insert(0, {here!r})
import runner_toys as toys
from nasdsl.plan import Budget
from nasdsl.runner import run_plan

budget = Budget({budget}, "evaluations")
configs = [toys.config(budget=budget),
           toys.config("re", "regularized_evolution", budget=budget,
                       settings={{"population": 50, "sample": 10}})]
run_plan(toys.plan({out!r}, configs=configs, repeat=2, workers={workers}),
         components=toys.TOYS)
"""


def _command(out: Path, workers: int, budget: int) -> list[str]:
    code = _SCRIPT.format(here=str(HERE), out=str(out), workers=workers, budget=budget)
    return [sys.executable, "-c", code]


def journal_count(journal: Path, query: str = "SELECT count(*) FROM evaluations") -> int:
    """A count read from a journal another process may be writing (0 until it exists)."""
    try:
        db = sqlite3.connect(f"{journal.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return db.execute(query).fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _journal_rows(journal: Path) -> int:
    return journal_count(journal)


def evaluation_rows(journal: Path) -> list[tuple]:
    db = sqlite3.connect(journal)
    rows = db.execute("SELECT run, idx, generation, architecture, hash, fitness, status, error, "
                      "cost_seconds, metrics FROM evaluations ORDER BY run, idx").fetchall()
    db.close()
    return rows


def _tagged_processes(tag: str) -> list[int]:
    """Processes whose environment carries `tag` (the killed run and anything it started)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if tag.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


class Twins:
    """One experiment in two folders under `root`: `whole` runs uninterrupted, `killed` is
    killed with SIGKILL (`kill`) and rerun (`run`); both write their reports to `out/`."""

    def __init__(self, root: Path, text: str, env: dict[str, str]):
        self.root, self.env = root, env
        for name in ("whole", "killed"):
            (root / name).mkdir()
            (root / name / "exp.nas").write_text(text)

    def command(self, name: str) -> list[str]:
        return [sys.executable, "-m", "nasdsl.cli", "run", str(self.root / name / "exp.nas"),
                "--quiet"]

    def out(self, name: str) -> Path:
        return self.root / name / "out"

    def run(self, name: str) -> None:
        subprocess.run(self.command(name), check=True, env=self.env, cwd=self.root / name,
                       capture_output=True, timeout=1200)

    def kill(self, at_least: int) -> int:
        """Rows the killed twin's journal held when it was killed."""
        return kill_when_journaled(self.command("killed"), self.out("killed") / "journal.sqlite",
                                   self.env, at_least=at_least, timeout=1200,
                                   cwd=self.root / "killed")


def kill_when_journaled(command: list[str], journal: Path, env: dict[str, str],
                        at_least: int = 1, timeout: float = 60.0, cwd: Path | None = None) -> int:
    """Start `command`, wait until its journal holds rows, wait a random moment, SIGKILL it.
    Returns the rows the journal held just before the kill."""
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while _journal_rows(journal) < at_least:
        if proc.poll() is not None:
            raise AssertionError(f"finished before the kill: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the journal never got rows")
        time.sleep(0.02)
    time.sleep(random.uniform(0.0, 0.15))
    held = _journal_rows(journal)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    return held


def test_resume_after_kill_is_identical(tmp_path: Path):
    """In one process here; tests/runner/test_cli_run.py kills `nasdsl run` with workers."""
    workers = 1
    budget = 10_000
    tag = f"NASDSL_KILL_TEST={uuid.uuid4().hex}"
    env = {**os.environ, tag.split("=")[0]: tag.split("=")[1]}
    _, killed = tmp_path / "whole", tmp_path / "killed"
    subprocess.run(_command(tmp_path / "whole", workers, budget), check=True, env=env)
    reference = evaluation_rows(tmp_path / "whole" / "journal.sqlite")
    assert len(reference) == 4 * budget

    journal = killed / "journal.sqlite"
    kill_when_journaled(_command(killed, workers, budget), journal, env)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(reference)
    assert set(partial) <= set(reference)  # what was committed is what would have been

    # Workers of the killed run notice their parent is gone and exit.
    deadline = time.monotonic() + 10
    while _tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tagged_processes(tag) == []

    subprocess.run(_command(killed, workers, budget), check=True, env=env)
    resumed = evaluation_rows(journal)
    assert resumed == reference
    db = sqlite3.connect(journal)
    assert db.execute("SELECT DISTINCT status FROM runs").fetchall() == [("finished",)]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
