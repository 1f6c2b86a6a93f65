"""The documentation: the site builds strictly, its `.nas` blocks pass `check`, its figures
agree with the commands and code that make them, and its tables of results are current."""
from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.study import published as study_published

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.nas"))
OFFICIAL_ONLY = "needs the official NAS-Bench-101 table"
"""Written in a `.nas` block's first line: `check` passes it without --strict only (the shared
table lacks validation accuracy and training times)."""
STATEMENT = re.compile(
    r"`(?:experiments/)?(?P<file>[\w.-]+\.nas)`: (?P<configs>[\d,]+) configurations?, "
    r"(?P<runs>[\d,]+) runs?, (?P<evaluations>[\d,]+) (?P<unit>evaluations|epochs)"
    r"(?:; space size (?P<size>.*?architectures(?: \([^)]*\))?(?:; [^;.]*?architectures"
    r"(?: \([^)]*\))?)*))?")
"""How the docs state an experiment's counts: "`quickstart.nas`: 3 configurations, 15 runs,
4,500 evaluations; space size 423,624 architectures" (a budget of epochs: "…, 160 epochs")."""


def _nasdsl(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=600, cwd=cwd, env=env)


def _mkdocs(config: Path, site: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           str(config), "-d", str(site)], capture_output=True, text=True,
                          timeout=300, env=env)


def _tables_tool():
    spec = importlib.util.spec_from_file_location("docs_tables", ROOT / "tools" / "docs_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_strictly_with_every_page(tmp_path):
    done = _mkdocs(ROOT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    for page in DOCS.glob("*.md"):
        name = "index.html" if page.stem == "index" else f"{page.stem}/index.html"
        assert (tmp_path / "site" / name).is_file(), page


def test_a_broken_link_fails_the_build(tmp_path):
    shutil.copytree(DOCS, tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    index = tmp_path / "docs" / "index.md"
    index.write_text(index.read_text() + "\nSee [the missing page](missing.md#nowhere).\n")
    done = _mkdocs(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0
    assert "missing.md" in done.stderr


def test_the_readme_is_short_and_links_to_every_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    for page in DOCS.glob("*.md"):
        if page.stem != "index":
            assert f"(docs/{page.name})" in readme, page.name


def _nas_blocks() -> list[tuple[str, int, str]]:
    return [(str(p.relative_to(ROOT)), i, b) for p in PAGES
            for i, b in enumerate(re.findall(r"^```nas\n(.*?)^```", p.read_text(),
                                             flags=re.S | re.M))]


def test_every_nas_block_passes_check(nb101_store, fashion_mnist_dir, tmp_path):
    """Strictly, on the data `make run` sets up; a block whose first line says it needs the
    official table without --strict."""
    from nasdsl.training.dataset_import import import_dataset

    data = tmp_path / "data"
    data.mkdir()
    (data / "nasbench101").symlink_to(nb101_store, target_is_directory=True)
    import_dataset("fashion_mnist", fashion_mnist_dir, data)
    env = {**os.environ, "NASDSL_DATA": str(data)}
    strict, lenient = [], []
    for page, index, code in _nas_blocks():
        path = tmp_path / f"{Path(page).stem}_{index + 1}.nas"
        path.write_text(code)
        (lenient if OFFICIAL_ONLY in code.splitlines()[0] else strict).append(str(path))
    assert len(strict) >= 6
    for args, files in ((["--strict"], strict), ([], lenient)):
        if files:
            done = _nasdsl("check", *args, *files, cwd=tmp_path, env=env)
            assert done.returncode == 0, done.stdout + done.stderr
            assert done.stdout.count(": ok, experiment ") == len(files), done.stdout


def _checked() -> dict[str, dict[str, str]]:
    """What `nasdsl check -v` prints for every shipped experiment: configurations, runs,
    evaluations, space size."""
    done = _nasdsl("check", "-v", *map(str, EXPERIMENTS))
    assert done.returncode == 0, done.stderr
    plans: dict[str, dict] = {}
    current: dict = {}
    for line in done.stdout.splitlines():
        if m := re.match(r"experiment \S+ +\((?P<path>.*)\)$", line):
            current = plans.setdefault(Path(m["path"]).name, {"configs": 0})
        elif m := re.match(r"  search .*: (\d+) configurations?, ", line):
            current["configs"] += int(m[1])
        elif m := re.match(r"  space size: (.*)$", line):
            current["size"] = m[1]
        elif m := re.match(r"  seed \S+, repeat (\d+), ", line):
            current["repeat"] = int(m[1])
        elif m := re.match(r"    \[\d+\] .*; budget ([\d,]+) epochs;", line):
            current["epochs"] = current.get("epochs", 0) + int(m[1].replace(",", ""))
        elif m := re.match(r"  total: ([\d,]+) runs?, ([\d,]+) evaluations$", line):
            current["runs"], current["evaluations"], current["unit"] = m[1], m[2], "evaluations"
        elif m := re.match(r"  total: ([\d,]+) runs?$", line):  # a budget of epochs
            epochs = current.get("epochs", 0) * current.get("repeat", 1)
            current["runs"], current["evaluations"], current["unit"] = m[1], f"{epochs:,}", "epochs"
    return {name: {**p, "configs": f"{p['configs']:,}"} for name, p in plans.items()}


def test_the_docs_counts_agree_with_check_for_every_shipped_experiment():
    checked = _checked()
    assert sorted(checked) == sorted(p.name for p in EXPERIMENTS)
    stated: dict[str, int] = {name: 0 for name in checked}
    for page in PAGES:
        for m in STATEMENT.finditer(page.read_text()):
            where = f"{page.relative_to(ROOT)}: {m[0]!r}"
            if m["file"] not in checked:
                continue  # an example's own file, not a shipped experiment
            stated[m["file"]] += 1
            truth = checked[m["file"]]
            assert (m["configs"], m["runs"], m["evaluations"], m["unit"]) == (
                truth["configs"], truth["runs"], truth["evaluations"], truth["unit"]), (where, truth)
            if m["size"] is not None:
                assert m["size"] == truth["size"], (where, truth)
    assert all(stated.values()), [name for name, n in stated.items() if not n]
    experiments_page = (DOCS / "experiments.md").read_text()
    for name in checked:
        m = next((m for m in STATEMENT.finditer(experiments_page) if m["file"] == name), None)
        assert m is not None and m["size"] is not None, name


def test_a_wrong_count_is_caught_by_the_pattern():
    wrong = "`nb101_search_quality.nas`: 10 configurations, 240 runs, 198,000 evaluations"
    m = STATEMENT.search(wrong)
    assert m and (m["runs"], m["evaluations"]) == ("240", "198,000")


def test_the_generated_tables_are_current():
    tool = _tables_tool()
    assert tool.stale_pages() == [], "run `python tools/docs_tables.py`"


def test_a_stale_table_is_found_and_the_figures_come_from_code_and_report(tmp_path):
    tool = _tables_tool()
    page = tmp_path / "study.md"
    text = (DOCS / "study.md").read_text()
    gaco = study_published.METAHEURISTICS["GACO"][0]
    assert f"| GACO | {gaco:.3f} / " in text
    page.write_text(text.replace(f"| GACO | {gaco:.3f} / ", "| GACO | 99.999 / "))
    assert tool.stale_pages(tmp_path) == [page]
    pso = next(r for r in (DOCS / "study" / "nb101_metaheuristics.summary.csv").read_text()
               .splitlines() if r.startswith("pso,"))
    assert f"{float(pso.split(',')[6]) * 100:.3f}" in text  # PSO's highest, from its report
    assert tool.fill(page.read_text(), tool.load_measured()) == text


def test_the_architecture_page_draws_the_layers_of_setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    layers = [" | ".join(m.strip() for m in line.split(":"))
              for line in config["importlinter:contract:layers"]["layers"].split("\n")
              if line.strip()]
    page = (DOCS / "architecture.md").read_text()
    drawn = page.split("## Layers", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert drawn.splitlines() == layers
    contracted = {m for line in layers for m in line.split(" | ")}
    modules = {f"nasdsl.{p.stem}" for p in (ROOT / "nasdsl").iterdir()
               if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert modules <= contracted, f"outside the layers: {sorted(modules - contracted)}"
    assert "every module of nasdsl is in a layer" in " ".join(page.lower().split())


def test_the_architecture_page_lists_the_journal_s_columns(tmp_path):
    from nasdsl.journal import Journal

    path = tmp_path / "journal.sqlite"
    with Journal.open(path, readonly=False):
        pass
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    page = (DOCS / "architecture.md").read_text().split("## The journal", 1)[1]
    documented = {m[1]: re.findall(r"`(\w+)`", m[2])
                  for m in re.finditer(r"^\| `(\w+)` \| (.*?) \|", page, flags=re.M)}
    assert set(tables) == set(documented)
    for table in tables:
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        if table == "evaluations":
            columns.append("arrival")  # added by the first completion out of order
        assert documented[table] == columns, table
