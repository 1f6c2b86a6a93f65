"""Keeping Dask workers busy, on a real `distributed.LocalCluster` of two worker processes of
one thread each: asynchronous regularized evolution submits a child as soon as a worker is
free, journals completions in the order they arrived, and resumes exactly after `kill -9`;
a pygmo generation asked as one batch is spread over both workers.

Exactness is checked against the search itself, not against the runner: the journal's
arrival order is handed to the optimizer again (in this process, evaluating afresh), and it
must ask for the journal's architecture at every index and find the summary's best."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from async_toys import Staggered
from nasdsl.dsl import load, loads
from nasdsl.evaluation.batch import Batch
from nasdsl.evaluation.history import BudgetMeter
from nasdsl.runner import RunSummary, run_plan
from nasdsl.runner.components import Components
from nasdsl.evaluation.replay import architecture_key
from nasdsl.runner.task import run_id
from test_kill_resume import journal_count

distributed = pytest.importorskip("distributed")
HERE = Path(__file__).resolve().parent

ASYNC = """\
experiment busy
seed = 5
repeat = {repeat}
budget = {budget} evaluations
space cell {{ vertices = 5; edges = 6 }}
evaluate "async_toys:Staggered" {{ longest = {longest} }}
search regularized_evolution {{ population = 8; sample = 3; mutation = flip(rate = 1.0); asynchronous = true }}
output = "{out}"
"""

PYGMO = """\
experiment generations
seed = 2
budget = 18 evaluations
space cell {{ vertices = 5; edges = 6 }}
evaluate "async_toys:Staggered" {{ longest = 0.2 }}
search pygmo.gaco {{ population = 6; generations = 2 }}
output = "{out}"
"""


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes of one thread each; they import the toy evaluator from here."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), old or ""])
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=":0") as c:
            yield c.scheduler_address
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def _experiment(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exp.nas").write_text(text)
    return folder / "exp.nas"


def _run(exp: Path, cluster: str) -> RunSummary:
    """`nasdsl run exp.nas --cluster ADDRESS`, without writing the report's files."""
    plan = load(exp)
    plan = replace(plan, execution=replace(plan.execution, cluster=cluster))
    return run_plan(plan)


def _rows(journal: Path) -> dict[str, list[tuple]]:
    """Each run's rows (index, hash, fitness, arrival, worker) in the order they arrived."""
    db = sqlite3.connect(journal)
    rows = db.execute("SELECT run, idx, hash, fitness, coalesce(arrival, idx) AS a, "
                      "json_extract(metrics, '$.worker') FROM evaluations "
                      "ORDER BY run, a").fetchall()
    db.close()
    out: dict[str, list[tuple]] = defaultdict(list)
    for run, *rest in rows:
        out[run].append(tuple(rest))
    return out


class Scripted:
    """Completions in the journal's arrival order, evaluated afresh here."""

    slots = 2

    def __init__(self, order: list[int]):
        self.order = list(order)
        self.running: dict[int, tuple] = {}
        self.evaluator = Staggered(longest=0.0)

    def submit(self, index, item, seed, known=None):
        self.running[index] = (item, seed)

    def next(self):
        index = self.order.pop(0)
        item, seed = self.running.pop(index)  # submitted before it arrived, or not exact
        return index, (self.evaluator.evaluate(item, seed=seed), 0.0)

    def cancel(self):
        self.running.clear()


def _searched_again(text: str, journal: Path) -> dict[str, float]:
    """Each run searched again with the journal's arrival order; its index -> hash must be
    the journal's. Returns each run's best fitness."""
    plan = loads(text)
    components = Components()
    journaled = _rows(journal)
    best = {}
    for run in plan.runs:
        rows = journaled[run_id(run)]
        config = run.config
        space = components.space(config.space)
        optimizer = components.make_optimizer(config.algorithm, space, config.settings)
        meter = BudgetMeter(config.budget)
        batch = Batch(None, meter, run.seed, completions=Scripted([r[0] for r in rows]))
        history = optimizer.search(batch, meter, np.random.default_rng(run.seed))
        assert ([(e.index, architecture_key(space, e.arch), e.fitness) for e in history]
                == [r[:3] for r in rows])
        best[run.key] = history.best().fitness
    return best


def _complete(journal: Path, budget: int, runs: int) -> dict[str, list[tuple]]:
    rows = _rows(journal)
    assert len(rows) == runs
    for run in rows.values():
        assert sorted(r[0] for r in run) == list(range(budget))  # each index once
        assert [r[3] for r in run] == list(range(budget))  # each arrival once
    return rows


def test_asynchronous_evolution_on_a_cluster_journals_every_completion_as_it_arrived(
        tmp_path, cluster):
    text = ASYNC.format(repeat=2, budget=30, longest=0.1, out=tmp_path / "out")
    exp = _experiment(tmp_path, text)
    summary = _run(exp, cluster)
    journal = tmp_path / "out" / "journal.sqlite"
    rows = _complete(journal, 30, 2)
    assert any([r[0] for r in run] != list(range(30)) for run in rows.values()), \
        "the workers finished out of submission order"
    assert len({r[4] for run in rows.values() for r in run}) == 2  # both workers evaluated
    assert summary.evaluations == 60
    assert summary.best == _searched_again(text, journal)


@pytest.mark.slow
def test_kill_9_mid_run_then_rerun_replays_the_arrival_order_exactly(tmp_path, cluster):
    """A second nasdsl process, killed once a dozen completions are journaled (about 15 s
    in all: slow)."""
    text = ASYNC.format(repeat=1, budget=40, longest=0.2, out=tmp_path / "out")
    exp = _experiment(tmp_path, text)
    journal = tmp_path / "out" / "journal.sqlite"
    run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", str(exp), "--quiet",
                            "--cluster", cluster], cwd=tmp_path, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(
                               [str(HERE), os.environ.get("PYTHONPATH", "")])})
    deadline = time.monotonic() + 120
    while journal_count(journal) < 12:
        assert run.poll() is None, run.stderr.read().decode()
        assert time.monotonic() < deadline, "no evaluations journaled within 120 s"
        time.sleep(0.02)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    before = _rows(journal)
    (cut,) = before.values()
    assert 12 <= len(cut) < 40
    assert [r[3] for r in cut] == list(range(len(cut)))  # a prefix of the arrivals

    summary = _run(exp, cluster)
    assert (summary.replayed, summary.evaluations) == (len(cut), 40 - len(cut))
    after = _complete(journal, 40, 1)
    (whole,) = after.values()
    assert whole[:len(cut)] == cut  # what was journaled stays, in its place
    assert summary.best == _searched_again(text, journal)


def test_a_pygmo_generation_is_spread_over_both_workers(tmp_path, cluster):
    """GACO asks for each generation through `batch_fitness`: one batch, whose evaluations
    run on both workers at once."""
    exp = _experiment(tmp_path, PYGMO.format(out=tmp_path / "out"))
    _run(exp, cluster)
    db = sqlite3.connect(tmp_path / "out" / "journal.sqlite")
    rows = db.execute("SELECT generation, json_extract(metrics, '$.worker') FROM evaluations "
                      "ORDER BY idx").fetchall()
    db.close()
    workers: dict[int, set[int]] = defaultdict(set)
    for generation, worker in rows:
        workers[generation].add(worker)
    assert len(rows) == 18 and sorted(workers) == [0, 1, 2]
    assert all(len(w) == 2 for w in workers.values())
