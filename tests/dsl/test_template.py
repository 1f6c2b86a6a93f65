"""`nasdsl init NAME.nas`: a commented experiment with every block, which passes `check` and
runs on the NAS-Bench-101 table `make` imports; an existing file is never replaced."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from nasdsl.cli import main


def _init(cwd, name: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", "init", name], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_init_writes_a_template_that_checks_and_runs(tmp_path, nb101_store, monkeypatch,
                                                     capsys):
    done = _init(tmp_path, "my_search.nas")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote my_search.nas")
    text = (tmp_path / "my_search.nas").read_text()
    for block in ("space cell {", "evaluate nasbench101 {", "search random",
                  "search regularized_evolution {", "# final {", "run {", "# evaluate keras {"):
        assert block in text
    assert "experiment my_search" in text and 'output = "results/my_search"' in text
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    assert main(["check", "--strict", "my_search.nas"]) == 0
    assert main(["run", "--quiet", "my_search.nas"]) == 0
    summary = pd.read_csv(tmp_path / "results" / "my_search" / "summary.csv")
    assert summary["config"].tolist() == ["random", "regularized_evolution"]
    assert (summary["evaluations"] == 300).all()
    assert "Traceback" not in capsys.readouterr().err


def test_init_never_replaces_a_file(tmp_path):
    (tmp_path / "mine.nas").write_text("# my own experiment\n")
    done = _init(tmp_path, "mine.nas")
    assert done.returncode == 2
    assert done.stderr == ("error: mine.nas exists; nasdsl init writes a new file only and "
                           "never replaces one: choose another name, or move the file away\n")
    assert (tmp_path / "mine.nas").read_text() == "# my own experiment\n"
    assert main(["init", str(tmp_path / "notes.txt")]) == 2
    assert not (tmp_path / "notes.txt").exists()


def test_a_name_that_is_not_a_name_becomes_a_string(tmp_path):
    assert main(["init", str(tmp_path / "my-search 2.nas")]) == 0
    text = (tmp_path / "my-search 2.nas").read_text()
    assert 'experiment "my-search 2"' in text and 'output = "results/my-search_2"' in text
    assert main(["check", str(tmp_path / "my-search 2.nas")]) == 0
