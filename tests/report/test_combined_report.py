"""`nasdsl report A B --output C`: several journals in one summary and one set of plots."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from nasdsl.cli import main

from journal_fixtures import write_journal


def test_the_combined_summary_holds_every_experiments_configurations(two_journals, tmp_path,
                                                                     capsys):
    evolution, random = two_journals
    out = tmp_path / "both"
    assert main(["report", str(evolution), str(random), "--output", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert summary["config"].tolist() == [
        "small_evolution/regularized_evolution[mutation.redraw=true]",
        "small_evolution/regularized_evolution[mutation.redraw=false]",
        "small_random/random", "small_random/flip"]
    assert summary["experiment"].tolist() == ["small_evolution"] * 2 + ["small_random"] * 2
    assert (summary["runs"] == 2).all() and (summary["evaluations"] == 120).all()
    # Each row equals the row of its own experiment's report.
    for folder, name in ((evolution, "small_evolution"), (random, "small_random")):
        alone = pd.read_csv(folder / "summary.csv").set_index("config")
        mine = summary[summary["experiment"] == name].copy()
        mine["config"] = mine["config"].str.removeprefix(f"{name}/")
        mine = mine.set_index("config")
        for column in ("highest", "mean_of_highest", "repeats", "mean_first_hit"):
            assert mine[column].tolist() == pytest.approx(alone.loc[mine.index, column].tolist())
    # The rows of every evaluation stay in each experiment's own report, not copied here.
    assert not (out / "evaluations.csv").exists()
    assert "evaluations.csv" not in (out / ".nasdsl-files").read_text()
    assert all((folder / "evaluations.csv").is_file() for folder in (evolution, random))
    for name in ("best_so_far.png", "generations.png", "best.json"):
        assert (out / name).stat().st_size > 0
    assert "small_random/flip" in capsys.readouterr().out


def test_journals_with_different_fitness_metrics_are_refused(two_journals, tmp_path, capsys):
    evolution, _ = two_journals
    other = tmp_path / "other"
    other.mkdir()
    write_journal(other / "journal.sqlite")  # a Python evaluator's plain `fitness`
    out = tmp_path / "mixed"
    assert main(["report", str(evolution), str(other), "--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert "fitness metrics differ" in err
    assert "nasbench101 test_accuracy" in err and "python fitness" in err
    assert "Traceback" not in err
    assert not (out / "summary.csv").exists()


def test_several_journals_need_an_output_folder(two_journals, capsys):
    evolution, random = two_journals
    assert main(["report", str(evolution), str(random)]) == 2
    assert "--output" in capsys.readouterr().err


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_an_output_that_is_one_of_the_inputs_is_refused_untouched(two_journals, tmp_path,
                                                                  monkeypatch, capsys):
    """`nasdsl report A B --output A` would replace A's own report (and drop its
    `evaluations.csv`): refused with one sentence, however A is spelled, A byte for byte as
    it was."""
    import subprocess
    import sys

    monkeypatch.chdir(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(two_journals[0], a)
    shutil.copytree(two_journals[1], b)
    (tmp_path / "link").symlink_to(a, target_is_directory=True)
    before = _files(a)
    assert "evaluations.csv" in before
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", "a", "b", "--output",
                           "a"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == ("error: --output a is the folder of the input a, whose own report "
                           "it would replace: a combined report goes to a folder of its own\n")
    assert _files(a) == before
    for output in ("b/../a", "link", "a/journal.sqlite/.."):
        assert main(["report", "a/journal.sqlite", "b", "--output", output]) == 2, output
        assert f"--output {output} is the folder of the input a" in capsys.readouterr().err
        assert _files(a) == before


def test_experiments_of_the_same_name_are_told_apart_by_folder(two_journals, tmp_path):
    evolution, _ = two_journals
    copy = tmp_path / "evolution_again"
    shutil.copytree(evolution, copy)
    out = tmp_path / "same"
    assert main(["report", str(evolution), str(copy), "--output", str(out)]) == 0
    configs = pd.read_csv(out / "summary.csv")["config"]
    assert configs.str.startswith("evolution/").sum() == 2
    assert configs.str.startswith("evolution_again/").sum() == 2


def test_the_study_tables_set_the_published_figures_beside_nasdsls(two_journals, tmp_path):
    from nasdsl.study.published import METAHEURISTICS

    out = tmp_path / "study"
    assert main(["report", *map(str, two_journals), "--output", str(out)]) == 0
    summary = pd.read_csv(out / "summary.csv").set_index("config")
    comparison = pd.read_csv(out / "study_comparison.csv").set_index("algorithm")
    assert set(comparison.index) == {"Regularized evolution", "Regularized evolution, flip",
                                     "Regularized evolution, study's grow", "Random search"}
    random_row = comparison.loc["Random search"]
    assert random_row["highest (nasdsl)"] == pytest.approx(
        100 * summary.loc["small_random/random", "highest"])
    assert random_row["highest (study)"] == METAHEURISTICS["Random search"][0]
    assert pd.isna(comparison.loc["Regularized evolution", "highest (study)"])  # not transcribed
    grow = summary.loc["small_evolution/regularized_evolution[mutation.redraw=true]", "highest"]
    assert comparison.loc["Regularized evolution", "highest (nasdsl)"] == pytest.approx(100 * grow)
    meta = pd.read_csv(out / "study_metaheuristics.csv")
    assert meta["algorithm"].tolist() == ["Random search"]
    assert meta["mean_of_highest (study)"].tolist() == [METAHEURISTICS["Random search"][3]]
    rates = pd.read_csv(out / "study_evolution_rates.csv")
    assert {"mean_of_highest (grow)", "mean_of_highest (study's grow (redraw = false))"} <= \
        set(rates.columns)
    assert len(rates) == 1  # one (add_node, add_connection) pair; flip is not in it
    html = (out / "report.html").read_text()
    assert "The study&#x27;s final comparison" in html or "The study's final comparison" in html
    # A single experiment's report has no study tables.
    assert not (two_journals[0] / "study_comparison.csv").exists()
