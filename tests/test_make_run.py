"""`make run` is short: `check` says one line per experiment, the quick start's run hides its
progress and ends with the comparison table the README shows, to the digit."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.nas"))


def _nasdsl(*args: str, env: dict[str, str] | None = None,
            cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, env=env)


def readme_quickstart_table() -> list[str]:
    """The lines of the block that shows what the quick start prints, the same in the README
    and in the tutorial."""
    tables = []
    for page in (ROOT / "README.md", ROOT / "docs" / "tutorial.md"):
        block = re.search(r"prints the comparison.*?```(?:text)?\n(.*?)```", page.read_text(),
                          flags=re.S)
        assert block, f"{page.name} shows the quick start's table"
        tables.append(block.group(1).rstrip("\n").splitlines())
    assert tables[0] == tables[1], "the README and the tutorial show the same table"
    return tables[0]


def assert_ends_with_the_readmes_table(table: list[str]) -> None:
    """`table` (what is printed from the table's header on) is the pages' block; where the
    block ends in `…` it cuts the legend of the columns short, and the rest is printed."""
    shown = readme_quickstart_table()
    if shown[-1].strip() == "…":
        assert table[:len(shown) - 1] == shown[:-1] and len(table) > len(shown) - 1
    else:
        assert table == shown


def test_checking_every_experiment_prints_one_line_per_file():
    done = _nasdsl("check", *map(str, EXPERIMENTS))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(EXPERIMENTS)
    for path, line in zip(EXPERIMENTS, lines):
        assert line.startswith(f"{path}: ok, experiment ")
    assert "1,875,000 evaluations" in lines[[p.name for p in EXPERIMENTS].index(
        "nb101_evolution.nas")]


def test_verbose_check_prints_every_plan():
    done = _nasdsl("check", "-v", *map(str, EXPERIMENTS))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("  total: ") == len(EXPERIMENTS)
    assert "    [124] population = 64, sample = 16" in done.stdout  # the grid's last line


def test_quiet_run_of_the_quick_start_ends_with_the_readmes_table(tmp_path, nb101_store):
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}
    done = _nasdsl("run", "--quiet", str(ROOT / "experiments" / "quickstart.nas"), "--output",
                   str(tmp_path / "out"), env=env)
    assert done.returncode == 0, done.stderr
    done_line, title, *table = done.stdout.splitlines()  # no progress lines
    assert done_line.startswith("15 runs done (4,500 evaluations")
    assert title == "quickstart"
    assert_ends_with_the_readmes_table(table)


@pytest.mark.slow
def test_make_run_on_a_clean_clone_is_short_and_ends_with_the_table(tmp_path, nb101_table):
    """A fresh clone of the committed tree, its own virtual environment and data folder."""
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("needs make and git")
    shared = nb101_table.parent.parent
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    env["NASDSL_DATA"] = str(tmp_path / "data")
    done = subprocess.run(["make", "run", f"SHARED={shared}"], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=1800)
    output = (done.stdout + done.stderr).splitlines()
    assert done.returncode == 0, "\n".join(output[-40:])
    assert len(output) < 50, "\n".join(output)  # set-up, one line per experiment, the table and its legend
    lines = done.stdout.splitlines()
    header = readme_quickstart_table()[0]
    assert header in lines, "\n".join(lines[-20:])
    assert_ends_with_the_readmes_table(lines[len(lines) - 1 - lines[::-1].index(header):])
    assert (tmp_path / "data" / "fashion-mnist" / "train-images-idx3-ubyte.gz").is_file()
