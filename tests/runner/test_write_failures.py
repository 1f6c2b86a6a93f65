"""A journal that cannot be written stops the run with a clear message and stays intact."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

import runner_toys as toys
from nasdsl.errors import JournalError
from nasdsl.plan import Budget
from nasdsl.runner import run_plan


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A real 1 MiB filesystem (tmpfs); skipped where mounting is not permitted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a small filesystem here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _plan(output: Path):
    budget = Budget(2000, "evaluations")
    configs = [toys.config(budget=budget, bits=32),
               toys.config("re", "regularized_evolution", budget=budget, bits=32,
                           settings={"population": 20, "sample": 5})]
    return toys.plan(output, configs=configs, repeat=2)


def _rows(journal: Path) -> list[tuple]:
    db = sqlite3.connect(journal)
    rows = db.execute("SELECT run, idx, architecture, fitness FROM evaluations "
                      "ORDER BY run, idx").fetchall()
    db.close()
    return rows


def test_full_disk_stops_the_run_and_keeps_whole_commits(tiny_disk: Path, tmp_path: Path):
    run_plan(_plan(tmp_path / "reference"), components=toys.TOYS)
    reference = _rows(tmp_path / "reference" / "journal.sqlite")

    with pytest.raises(JournalError) as failure:
        run_plan(_plan(tiny_disk / "out"), components=toys.TOYS)
    message = str(failure.value)
    assert "disk is full" in message and "holds every evaluation committed" in message

    journal = tiny_disk / "out" / "journal.sqlite"
    db = sqlite3.connect(f"{journal.as_uri()}?mode=ro", uri=True)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finished = db.execute("SELECT run, evaluations FROM runs WHERE status = 'finished'").fetchall()
    db.close()
    rows = _rows(journal)
    assert 0 < len(rows) < len(reference)
    assert set(rows) <= set(reference)  # nothing half-written, nothing invented
    for run, n in finished:
        assert [r[1] for r in rows if r[0] == run] == list(range(n))


def test_output_inside_a_file_is_refused_before_evaluating(tmp_path: Path):
    (tmp_path / "results").write_text("a file, not a folder")
    toys.EVALUATORS.clear()
    with pytest.raises(JournalError, match="cannot create the journal .*Not a directory"):
        run_plan(_plan(tmp_path / "results" / "x"), components=toys.TOYS)
    assert sum(e.calls for e in toys.EVALUATORS.values()) == 0
