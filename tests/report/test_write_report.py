"""`write_report` and `nasdsl report`: every file written, from the journal alone."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from nasdsl.report import report_command, write_report
from nasdsl.report.plots import best_so_far_curves

from journal_fixtures import write_journal

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FILES = ("evaluations.csv", "summary.csv", "best_so_far.png", "generations.png", "regret.png",
         "best.json")


@pytest.fixture
def output(tmp_path):
    write_journal(tmp_path / "journal.sqlite")
    return tmp_path


def test_every_report_file_is_written(output):
    assert write_report(output) == output
    for name in FILES:
        assert (output / name).stat().st_size > 0, name
    for name in ("best_so_far.png", "generations.png"):
        data = (output / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5_000


def test_evaluations_csv_has_one_row_per_evaluation_and_the_documented_columns(output):
    write_report(output)
    table = pd.read_csv(output / "evaluations.csv")
    assert len(table) == 15
    assert list(table.columns[:10]) == ["search", "config", "run", "seed", "index", "generation",
                                        "architecture", "hash", "fitness", "status"]
    assert {"test_accuracy", "training_time", "population"} <= set(table.columns)
    assert (table["status"] == "invalid").sum() == 1


def test_summary_csv_holds_the_statistics(output):
    write_report(output)
    summary = pd.read_csv(output / "summary.csv")
    assert list(summary.columns[:12]) == ["search", "config", "runs", "unfinished",
                                          "evaluations", "repeats", "highest", "highest_mean", "mean",
                                          "mean_of_highest", "mean_first_hit",
                                          "mean_first_hit_evaluations"]
    assert summary["highest"].tolist() == [0.7, 0.9]
    assert summary["unfinished"].tolist() == [0, 0]


def test_best_so_far_is_a_running_max_per_run(output):
    from nasdsl.journal import Journal

    with Journal.open(output / "journal.sqlite") as journal:
        evaluations = journal.evaluations()
    curves = best_so_far_curves(evaluations, "regularized_evolution[population=2]")
    assert curves.tolist() == [[0.1, 0.3, 0.3, 0.5, 0.5, 0.5], [0.6, 0.6, 0.6, 0.6, 0.7, 0.7]]
    short = best_so_far_curves(evaluations, "random")
    assert short.tolist() == [[0.2, 0.9, 0.9]]


def test_best_json_names_each_runs_best(output):
    write_report(output)
    doc = json.loads((output / "best.json").read_text())
    re, rnd = doc["configs"]
    assert [r["index"] for r in re["runs"]] == [3, 4]
    assert re["best"]["fitness"] == 0.7 and re["best"]["metrics"]["test_accuracy"] == 0.65
    assert rnd["runs"][0]["architecture"] == "random-0-1"


def test_report_prints_a_plain_table_off_a_terminal(output, capsys):
    assert report_command(output / "journal.sqlite") == 0
    out = capsys.readouterr().out
    assert "handmade" in out and "mean_of_highest" in out and "0.6000" in out
    assert "report written to" in out


def test_report_without_a_journal_exits_2_with_a_message(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no journal" in done.stderr and str(tmp_path) in done.stderr


def test_report_command_line_writes_the_files(output):
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", str(output)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert all((output / name).exists() for name in FILES)
    assert "regularized_evolution[population=2]" in done.stdout


def test_swept_whole_numbers_are_written_as_integers(output):
    write_report(output)
    summary = pd.read_csv(output / "summary.csv", dtype=str, keep_default_na=False)
    assert summary["population"].tolist() == ["2", ""]
    evaluations = pd.read_csv(output / "evaluations.csv", dtype=str, keep_default_na=False)
    assert set(evaluations["population"]) == {"2", ""}
    assert "0.45" in set(evaluations["test_accuracy"])  # a fraction stays a fraction


def test_an_empty_journal_reports_headers_and_says_so(tmp_path, capsys):
    from nasdsl.journal import Journal

    Journal.open(tmp_path / "journal.sqlite", readonly=False).close()
    assert report_command(tmp_path) == 0
    assert "no search configurations recorded yet" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "summary.csv").columns[0] == "search"
    assert json.loads((tmp_path / "best.json").read_text()) == {"configs": []}


def test_plot_axes_name_the_fitness_metric_and_their_units(output):
    """Each PNG carries its axis labels as text entries, read back here from the files."""
    from PIL import Image

    write_report(output)
    with Image.open(output / "best_so_far.png") as image:
        labels = dict(image.text)
    assert labels["x axis"] == "evaluations (count per run, log scale)"
    assert labels["y axis"].startswith("best fitness so far")  # the evaluator names no fitness
    with Image.open(output / "generations.png") as image:
        labels = dict(image.text)
    assert "evaluations" in labels["x axis"] and "generation" in labels["x axis"]
    assert "mean over runs" in labels["y axis"]


def test_generation_sizes_and_the_fitness_name_come_from_the_journal(output):
    from nasdsl.journal import Journal
    from nasdsl.report.plots import _unit, fitness_name, generation_sizes

    with Journal.open(output / "journal.sqlite") as journal:
        configs, evaluations = journal.configs(), journal.evaluations()
    assert generation_sizes(evaluations) == {"regularized_evolution[population=2]": 2,
                                             "random": 3}
    assert fitness_name(configs) == "fitness"
    configs["evaluator"] = [{"settings": {"fitness": "test_accuracy"}}] * len(configs)
    assert fitness_name(configs) == "test_accuracy"
    assert _unit("test_accuracy") == "fraction, 0 to 1"


def test_report_accepts_the_experiment_file(tmp_path):
    (tmp_path / "out").mkdir()
    write_journal(tmp_path / "out" / "journal.sqlite")
    (tmp_path / "exp.nas").write_text('budget = 6 evals\nspace cell { }\nevaluate nasbench101 { }\n'
                                      'search random\noutput = "out"\n')
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", "exp.nas"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert all((tmp_path / "out" / name).exists() for name in FILES)
    assert "report written to out" in done.stdout


def test_report_of_an_experiment_not_run_yet_says_so(tmp_path):
    (tmp_path / "exp.nas").write_text('budget = 6 evals\nspace cell { }\nevaluate nasbench101 { }\n'
                                      'search random\noutput = "out"\n')
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", "exp.nas"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert "no journal at out/journal.sqlite" in done.stderr and "nasdsl run" in done.stderr
