"""Reports follow the file: a search renamed or removed, or `repeat` lowered, leaves runs in the
journal, but `summary.csv` shows only the configurations and repeats of the plan last run;
`nasdsl report DIR --all` shows every run."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from nasdsl.cli import main
from nasdsl.store.importer import import_file
from nb101_small import write_table

EXPERIMENT = """\
experiment follows
seed = 1
repeat = {repeat}
budget = 40 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; data = "{data}" }}
{searches}
output = "out"
"""
RANDOM = "search random as {label}"
EVOLUTION = ("search regularized_evolution as evolution "
             "{ population = 10; sample = 3; mutation = flip(rate = 1.0) }")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    store = import_file(write_table(tmp_path / "t.npz"), tmp_path / "data").store
    (tmp_path / "store").write_text(str(store))
    return tmp_path


def run(folder: Path, capsys, repeat: int, *searches: str) -> str:
    store = (folder / "store").read_text()
    exp = folder / "exp.nas"
    exp.write_text(EXPERIMENT.format(repeat=repeat, data=store, searches="\n".join(searches)))
    assert main(["run", str(exp)]) == 0
    return capsys.readouterr().err


def summary(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "out" / "summary.csv")


def test_a_renamed_search_leaves_only_the_new_name(folder, capsys):
    run(folder, capsys, 2, RANDOM.format(label="random"), EVOLUTION)
    err = run(folder, capsys, 2, RANDOM.format(label="baseline"), EVOLUTION)
    table = summary(folder)
    assert list(table["search"]) == ["baseline", "evolution"]
    assert list(table["runs"]) == [2, 2]
    assert "also holds 2 runs" in err and "--all" in err
    evaluations = pd.read_csv(folder / "out" / "evaluations.csv")
    assert set(evaluations["search"]) == {"baseline", "evolution"} and len(evaluations) == 160


def test_a_removed_search_and_a_lowered_repeat_leave_the_report(folder, capsys):
    run(folder, capsys, 3, RANDOM.format(label="random"), EVOLUTION)
    run(folder, capsys, 2, EVOLUTION)
    table = summary(folder)
    assert list(table["search"]) == ["evolution"] and list(table["runs"]) == [2]
    assert list(table["evaluations"]) == [80]


def test_older_runs_only_on_request(folder, capsys):
    run(folder, capsys, 3, RANDOM.format(label="random"), EVOLUTION)
    run(folder, capsys, 2, EVOLUTION)
    assert main(["report", str(folder / "out"), "--all"]) == 0
    table = summary(folder)
    assert sorted(table["search"]) == ["evolution", "random"]
    assert list(table["runs"]) == [3, 3]


def test_raising_repeat_again_brings_the_kept_runs_back(folder, capsys):
    run(folder, capsys, 3, EVOLUTION)
    run(folder, capsys, 1, EVOLUTION)
    assert list(summary(folder)["runs"]) == [1]
    run(folder, capsys, 3, EVOLUTION)  # the journal's runs 1 and 2 are reused, not redone
    assert list(summary(folder)["runs"]) == [3]
