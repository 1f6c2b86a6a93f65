"""Python code beside the experiment file: its folder is on the import path (as pytest puts a
test's folder), in worker processes too, and a module that cannot be imported is an error of
the file at the line that names it, found by `check` before anything runs."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

EVALUATOR = """\
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class ParamCount(Evaluator):
    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        value = (sum(str(x).encode()) % 1000) / 1000
        return Result(fitness=value, metrics={"accuracy": value})
"""


def _nasdsl(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def _experiment(folder: Path, target: str, module: str | None = EVALUATOR) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if module is not None:
        (folder / "myeval.py").write_text(module)
    path = folder / "exp.nas"
    path.write_text(f'budget = 20 evals\nrepeat = 2\nspace cell {{ }}\nevaluate "{target}" {{ }}\n'
                    'search random\nrun { workers = 2 }\noutput = "out"\n')
    return path


def test_a_module_beside_the_file_is_found_by_check_and_run_and_workers(tmp_path: Path):
    exp = _experiment(tmp_path / "study", "myeval:ParamCount")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    checked = _nasdsl("check", str(exp), cwd=elsewhere)
    assert checked.returncode == 0, checked.stderr
    done = _nasdsl("run", "--quiet", str(exp), cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    summary = pd.read_csv(elsewhere / "out" / "summary.csv")
    assert summary["runs"].tolist() == [2] and summary["evaluations"].tolist() == [40]


def test_a_module_that_cannot_be_imported_is_an_error_at_its_line(tmp_path: Path):
    exp = _experiment(tmp_path, "nosuch:ParamCount", module=None)
    for command in ("check", "run"):
        done = _nasdsl(command, str(exp), cwd=tmp_path)
        assert done.returncode == 2
        first = done.stderr.splitlines()[0]
        assert first.startswith(f"{exp}:4:10: error: cannot import 'nosuch'")
        assert "No module named 'nosuch'" in first and "experiment file's folder" in first
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything was created


def test_a_module_that_breaks_while_importing_or_lacks_the_name(tmp_path: Path):
    exp = _experiment(tmp_path / "broken", "myeval:ParamCount", module="def oops(:\n")
    done = _nasdsl("check", str(exp), cwd=tmp_path)
    assert done.returncode == 2 and ":4:10: error: cannot import 'myeval'" in done.stderr
    assert "SyntaxError" in done.stderr
    exp = _experiment(tmp_path / "lacking", "myeval:Nope")
    done = _nasdsl("check", str(exp), cwd=tmp_path)
    assert done.returncode == 2 and "module 'myeval' has no 'Nope'" in done.stderr
