"""pygmo searches through the language on NAS-Bench-101 (the shared table): GACO, PSO,
PSO-gen, ABC, SGA, DE and CMA-ES are reproducible from the seed, numbered by pygmo's
generations, and resume — from a journal cut inside a generation, and after `kill -9` — to
exactly the uninterrupted journal and summary."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from nasdsl.dsl import loads
from nasdsl.runner import run_plan
from test_kill_resume import _tagged_processes, evaluation_rows, kill_when_journaled

SEARCHES = """\
search pygmo.gaco {{ population = 10{gen} }}
search pygmo.pso {{ population = 10{gen} }}
search pygmo.pso_gen {{ population = 10{gen} }}
search pygmo.bee_colony {{ population = 10; limit = 5{gen} }}
search pygmo.sga {{ population = 10{gen} }}
search pygmo.de {{ population = 10{gen} }}
search pygmo.cmaes {{ population = 10{gen} }}
"""
EXPERIMENT = """\
experiment pygmo_runs
seed = 11; repeat = {repeat}
budget = {budget} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; report = [test_accuracy] }}
{searches}output = "{output}"
"""


BUDGET = 600


def _text(output: Path, repeat: int = 2, budget: int = 1000, generations: int | None = 4) -> str:
    gen = "" if generations is None else f"; generations = {generations}"
    return EXPERIMENT.format(repeat=repeat, budget=budget, output=output,
                             searches=SEARCHES.format(gen=gen))


@pytest.fixture
def data(nb101_store: Path):
    old = os.environ.get("NASDSL_DATA")
    os.environ["NASDSL_DATA"] = str(nb101_store.parent)
    yield nb101_store.parent
    if old is None:
        os.environ.pop("NASDSL_DATA", None)
    else:
        os.environ["NASDSL_DATA"] = old


def _summary(output: Path) -> str:
    return (output / "summary.csv").read_text()


def _summary_table(journal: Path) -> str:
    """The report's summary of a journal, without writing the report's files."""
    from nasdsl.report.summary import summarize
    from nasdsl.report.source import read_journal

    source = read_journal(journal)
    return summarize(source.configs, source.evaluations).to_csv()


def test_same_seed_same_journal_and_pygmos_generations(tmp_path: Path, data: Path):
    first, second = tmp_path / "a", tmp_path / "b"
    run_plan(loads(_text(first)))
    run_plan(loads(_text(second)))
    rows = evaluation_rows(first / "journal.sqlite")
    assert rows == evaluation_rows(second / "journal.sqlite")

    db = sqlite3.connect(first / "journal.sqlite")
    per_run = db.execute("SELECT c.algorithm, e.run, e.generation, count(*), "
                         "sum(e.status = 'ok') FROM evaluations e JOIN runs r USING (run) "
                         "JOIN configs c ON c.config = r.config "
                         "GROUP BY e.run, e.generation").fetchall()
    db.close()
    generations: dict[tuple[str, str], dict[int, int]] = {}
    for algorithm, run, generation, count, ok in per_run:
        generations.setdefault((algorithm, run), {})[generation] = count
        assert ok == count  # repaired vectors: every evaluation is a valid table cell
    assert len(generations) == 7 * 2
    for (algorithm, _), counts in generations.items():
        per = 20 if algorithm == "pygmo.bee_colony" else 10
        assert counts == {0: 10, 1: per, 2: per, 3: per, 4: per}, algorithm


def test_a_journal_cut_inside_a_generation_resumes_to_the_same_journal(tmp_path: Path,
                                                                       data: Path):
    whole = tmp_path / "whole"
    run_plan(loads(_text(whole, repeat=1)))
    reference = evaluation_rows(whole / "journal.sqlite")

    cut = tmp_path / "cut"
    cut.mkdir()
    shutil.copy(whole / "journal.sqlite", cut / "journal.sqlite")
    db = sqlite3.connect(cut / "journal.sqlite")
    # Keep 10 + 7 evaluations of every run: the initial population and part of generation 1
    # (for GACO, PSO-gen and CMA-ES part of one batch), as a kill between commits leaves it.
    db.execute("DELETE FROM evaluations WHERE idx >= 17")
    db.execute("UPDATE runs SET status = 'running', evaluations = NULL, finished = NULL")
    db.commit()
    db.close()
    summary = run_plan(loads(_text(cut, repeat=1)))
    assert summary.replayed == 7 * 17 and summary.evaluations == len(reference) - 7 * 17
    assert evaluation_rows(cut / "journal.sqlite") == reference
    assert _summary_table(cut / "journal.sqlite") == _summary_table(whole / "journal.sqlite")


def test_kill_9_then_rerun_gives_the_uninterrupted_journal_and_summary(tmp_path: Path,
                                                                       data: Path):
    env = {**os.environ, "NASDSL_DATA": str(data)}
    files = {}
    for name in ("whole", "killed"):
        folder = tmp_path / name
        folder.mkdir()
        files[name] = folder / "exp.nas"
        files[name].write_text(_text(Path("out"), repeat=1, budget=BUDGET, generations=None))

    def nasdsl_run(path: Path, environment: dict[str, str]) -> None:
        done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(path), "--quiet"],
                              env=environment, cwd=path.parent, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr

    nasdsl_run(files["whole"], env)
    reference = evaluation_rows(tmp_path / "whole" / "out" / "journal.sqlite")
    # every search spends its budget, unless pygmo stops it (CMA-ES: a converged population)
    assert 6 * BUDGET < len(reference) <= 7 * BUDGET

    tag = uuid.uuid4().hex
    tagged = {**env, "NASDSL_KILL_TEST": tag}
    journal = tmp_path / "killed" / "out" / "journal.sqlite"
    command = [sys.executable, "-m", "nasdsl.cli", "run", str(files["killed"]), "--quiet"]
    kill_when_journaled(command, journal, tagged, cwd=files["killed"].parent)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(reference) and set(partial) <= set(reference)
    deadline = time.monotonic() + 10
    while _tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.1)

    nasdsl_run(files["killed"], env)
    assert evaluation_rows(journal) == reference
    assert _summary(tmp_path / "killed" / "out") == _summary(tmp_path / "whole" / "out")
    assert Counter(r[6] for r in reference) == {"ok": len(reference)}
