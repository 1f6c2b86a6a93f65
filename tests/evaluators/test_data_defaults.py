"""Defaults the data cannot answer: a defaulted `report` keeps what the store holds (and
`check` says what it left out); a written one is still refused; a defaulted `fitness` the
store lacks is refused as the default, with the line to write."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from nasdsl.dsl import loads
from nasdsl.runner import plan_problems
from nasdsl.runner.checks import plan_as_run, plan_data_notes

HEAD = "budget = 40 evaluations\nspace cell { }\nsearch random\n"


@pytest.fixture
def shared_store(nb101_store: Path, monkeypatch) -> Path:
    """The shared table's store (test accuracy only) as the default store."""
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    return nb101_store


def _plan(evaluate: str):
    return loads(HEAD + evaluate + "\n")


def test_a_defaulted_report_keeps_what_the_store_holds(shared_store):
    plan = _plan("evaluate nasbench101 { fitness = test_accuracy }")
    assert plan_problems(plan) == []
    assert plan_data_notes(plan) == [
        "report: the default leaves out training_time, which the NAS-Bench-101 store lacks (it "
        "holds test_accuracy, trainable_parameters, flops)"]


def test_check_shows_the_defaulted_report_as_it_will_run(shared_store):
    plan = _plan("evaluate nasbench101 { fitness = test_accuracy }")
    assert plan.configs[0].evaluator.settings["report"] == ["test_accuracy", "training_time"]
    assert plan_as_run(plan).configs[0].evaluator.settings["report"] == ["test_accuracy"]
    written = _plan("evaluate nasbench101 { fitness = test_accuracy; report = [flops] }")
    assert plan_as_run(written) == written


def test_a_written_report_metric_the_store_lacks_is_still_refused(shared_store):
    plan = _plan("evaluate nasbench101 { fitness = test_accuracy; report = [training_time] }")
    assert plan_problems(plan) == [
        "the NAS-Bench-101 store holds test_accuracy, trainable_parameters, flops; report "
        "metric `training_time` is not among them"]
    assert plan_data_notes(plan) == []


def test_a_defaulted_fitness_the_store_lacks_says_it_is_the_default(shared_store):
    problems = plan_problems(_plan("evaluate nasbench101 { }"))
    assert problems == [
        "the NAS-Bench-101 store holds test_accuracy, trainable_parameters, flops; the default "
        "fitness `validation_accuracy` is not among them; write `fitness = test_accuracy` in "
        "`evaluate nasbench101 { … }`"]


def test_a_written_fitness_the_store_lacks_is_refused_as_written(shared_store):
    problems = plan_problems(_plan("evaluate nasbench101 { fitness = validation_accuracy }"))
    assert len(problems) == 1 and "fitness `validation_accuracy` is not among them" in problems[0]
    assert "default" not in problems[0]


def test_run_with_a_defaulted_report_records_what_the_store_holds(tmp_path, shared_store):
    exp = tmp_path / "exp.nas"
    exp.write_text(HEAD + "evaluate nasbench101 { fitness = test_accuracy }\noutput = \"out\"\n")
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(exp)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    evaluations = pd.read_csv(tmp_path / "out" / "evaluations.csv")
    assert "test_accuracy" in evaluations.columns and "training_time" not in evaluations.columns
    assert (evaluations["status"] == "ok").all()
    checked = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(exp)],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "report = [test_accuracy]\n" in checked.stdout
    assert "training_time" not in checked.stdout.split("note:")[0]
    assert "note: report: the default leaves out training_time" in checked.stdout
