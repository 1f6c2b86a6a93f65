"""The runner runs and journals; the report comes after it, from `nasdsl.experiment` (what
`nasdsl run` and `run_experiment` do), and the runner neither writes nor imports it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import runner_toys as toys
from nasdsl.errors import ForeignFile
from nasdsl.experiment import run_experiment
from nasdsl.runner import run_plan

HERE = Path(__file__).resolve().parent

_RUNNER_ALONE = """\
import sys
sys.path.insert(0, {here!r})
import runner_toys as toys
from nasdsl.runner import run_plan
summary = run_plan(toys.plan({out!r}, repeat=1), components=toys.TOYS)
print(summary.evaluations, "nasdsl.report" in sys.modules)
"""


def test_the_runner_journals_without_writing_or_importing_a_report(tmp_path: Path):
    out = tmp_path / "out"
    code = _RUNNER_ALONE.format(here=str(HERE), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["400", "False"]  # two searches of 200 evaluations
    assert (out / "journal.sqlite").is_file()
    assert not (out / "summary.csv").exists() and not (out / "report.html").exists()


def test_run_experiment_claims_the_reports_files_before_the_first_evaluation(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.csv").write_text("the user's own\n")
    with pytest.raises(ForeignFile, match="summary.csv was not written by nasdsl"):
        run_experiment(toys.plan(out, repeat=1), components=toys.TOYS)
    assert not (out / "journal.sqlite").exists()
    assert (out / "summary.csv").read_text() == "the user's own\n"

    summary = run_plan(toys.plan(out, repeat=1), components=toys.TOYS)  # writes no report
    assert summary.evaluations == 400
    assert (out / "summary.csv").read_text() == "the user's own\n"


def test_run_experiment_runs_then_reports_and_fresh_replaces_the_report(tmp_path: Path):
    out = tmp_path / "out"
    first = run_experiment(toys.plan(out, repeat=1), components=toys.TOYS)
    assert first.evaluations == 400 and (out / "summary.csv").is_file()
    (out / "summary.csv").write_text("stale\n")  # nasdsl's file, listed as such
    again = run_experiment(toys.plan(out, repeat=1), components=toys.TOYS, fresh=True)
    assert again.evaluations == 400 and again.skipped == 0
    rewritten = (out / "summary.csv").read_text()
    assert rewritten != "stale\n" and len(rewritten.splitlines()) == 3  # header, two searches
