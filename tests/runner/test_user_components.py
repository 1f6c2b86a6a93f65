"""A search algorithm of the user's own, as the documentation writes it, plugged in both ways — named
by module and class in the file, and installed under a name of its own through the
`nasdsl.optimizers` entry-point group — and run through `nasdsl run` as a user would: checked
with the built-in messages, journaled, resumed after `kill -9`."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from test_kill_resume import evaluation_rows, kill_when_journaled

ROOT = Path(__file__).resolve().parents[2]

EXPERIMENT = """\
experiment climbing
seed = 5
repeat = 2
budget = {budget} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; report = [test_accuracy] }}
search {search} as climb {{ {settings} }}
output = "out"
"""
BUDGET = 4000
"""Evaluations per run: enough that a kill lands before a run ends."""

DIST_INFO = {
    "METADATA": "Metadata-Version: 2.1\nName: toy-nas-plugin\nVersion: 1.0\n",
    "entry_points.txt": "[nasdsl.optimizers]\nhill_climb = my_search:HillClimb\n",
}


def readme_module() -> str:
    """The Python block of the "Write your own search algorithm" section of docs/extending.md."""
    text = (ROOT / "docs" / "extending.md").read_text()
    section = text.split("## Write your own search algorithm", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder on the import path holding the documentation's module and an installed
    distribution's metadata that registers it as `hill_climb`."""
    folder = tmp_path_factory.mktemp("plugin")
    (folder / "my_search.py").write_text(readme_module())
    info = folder / "toy_nas_plugin-1.0.dist-info"
    info.mkdir()
    for name, text in DIST_INFO.items():
        (info / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def env(plugin: Path, nb101_store: Path) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(plugin), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "NASDSL_DATA": str(nb101_store.parent), "PYTHONPATH": path}


def _write(folder: Path, search: str, settings: str = "patience = 30") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "exp.nas"
    path.write_text(EXPERIMENT.format(search=search, settings=settings, budget=BUDGET))
    return path


def _nasdsl(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *map(str, args)], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> list[tuple]:
    """The journal of an uninterrupted run of the module-named search."""
    exp = _write(tmp_path_factory.mktemp("whole"), '"my_search:HillClimb"')
    done = _nasdsl("run", exp, "--quiet", env=env, cwd=exp.parent)
    assert done.returncode == 0, done.stderr
    rows = evaluation_rows(exp.parent / "out" / "journal.sqlite")
    assert len(rows) == 2 * BUDGET
    return rows


@pytest.mark.parametrize("search", ['"my_search:HillClimb"', "hill_climb"])
def test_user_search_runs_and_resumes_after_a_kill(tmp_path: Path, env: dict[str, str],
                                                   reference: list[tuple], search: str):
    """Both routes reach the same class: the killed-then-rerun journal equals the
    uninterrupted one, row for row."""
    exp = _write(tmp_path, search)
    journal = tmp_path / "out" / "journal.sqlite"
    tagged = {**env, "NASDSL_KILL_TEST": uuid.uuid4().hex}
    kill_when_journaled([sys.executable, "-m", "nasdsl.cli", "run", str(exp), "--quiet"],
                        journal, tagged, cwd=tmp_path)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(reference) and set(partial) <= set(reference)

    again = _nasdsl("run", exp, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    # A run the kill caught after its last row is finished, not replayed.
    replayed = int(re.search(r"([\d,]+) replayed", again.stdout).group(1).replace(",", ""))
    finished = re.search(r"(\d+) runs? already finished", again.stdout)
    assert replayed + BUDGET * int(finished.group(1) if finished else 0) == len(partial)
    assert evaluation_rows(journal) == reference


@pytest.mark.parametrize("search, shown", [('"my_search:HillClimb"', "my_search:HillClimb"),
                                           ("hill_climb", "hill_climb")])
def test_misspelt_setting_of_a_user_search_is_refused_at_its_place(
        tmp_path: Path, env: dict[str, str], search: str, shown: str):
    exp = _write(tmp_path, search, settings="patiance = 5")
    done = _nasdsl("check", exp, env=env, cwd=tmp_path)
    assert done.returncode == 2
    line, text = 7, f"search {search} as climb {{ patiance = 5 }}"
    column = text.index("patiance") + 1
    lines = done.stderr.splitlines()
    assert lines[0] == (f"{exp}:{line}:{column}: error: unknown key `patiance` in "
                        f"`search {shown}`")
    assert lines[1] == f"    {text}"
    assert lines[2] == "    " + " " * (column - 1) + "^"
    assert "did you mean `patience`?" in done.stderr
    assert "accepted: batch, budget, patience" in done.stderr


def test_validate_of_a_user_search_points_at_the_setting(tmp_path: Path, env: dict[str, str]):
    exp = _write(tmp_path, "hill_climb", settings="patience = 10; batch = 50")
    done = _nasdsl("check", exp, env=env, cwd=tmp_path)
    assert done.returncode == 2
    column = "search hill_climb as climb { patience = 10; batch = 50 }".index("50") + 1
    assert done.stderr.startswith(f"{exp}:7:{column}: error: `batch` must not exceed `patience`")


def test_installed_search_is_listed_with_its_settings(tmp_path: Path, env: dict[str, str]):
    done = _nasdsl("list", "algorithms", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listing = done.stdout.split("\nhill_climb  # ", 1)[1]
    assert listing.startswith("Flip the best architecture so far")
    assert "    patience = 20  # children without improvement before a restart" in listing
    assert "    batch = 4  # children asked for at once" in listing


def test_a_module_that_cannot_be_imported_is_refused_at_the_search(tmp_path: Path,
                                                                   env: dict[str, str]):
    exp = _write(tmp_path, '"no_such_module_here:Search"')
    done = _nasdsl("check", exp, env=env, cwd=tmp_path)
    assert done.returncode == 2
    column = len("search ") + 1
    assert done.stderr.startswith(f"{exp}:7:{column}: error: cannot import "
                                  "'no_such_module_here'")
