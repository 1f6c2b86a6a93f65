"""Multi-fidelity searches, run for real and checked against the rule each one follows.

Every check re-derives, from the journal alone and with code of its own, what the search
had to do: successive halving and Hyperband promote exactly the top ⌊n/eta⌋ of each rung (by
fitness, the earlier evaluation first among equals), in brackets of the sizes of Li et al.;
ASHA promotes, whenever it may, a candidate in the top ⌊k/eta⌋ of the k results its rung
has then, and otherwise starts a new one. Lookups use a small table with the official
file's epochs (4, 12, 36, 108); continuation uses an evaluator that serves fidelities the
way a user's class does (`fidelity_toys.Trainee`), whose states name what trained them."""
from __future__ import annotations

import json
import math
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
import pandas as pd
import pytest

from nasdsl.dsl import loads
from nasdsl.evaluation.fidelity import rungs
from nasdsl.errors import DslError
from nasdsl.optimizers.hyperband import brackets
from nasdsl.report import write_report
from nasdsl.runner import run_plan
from nb101_epochs import epochs_store
from test_kill_resume import journal_count

HERE = Path(__file__).resolve().parent
LADDER = (4, 12, 36, 108)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return epochs_store(tmp_path_factory.mktemp("epochs"))


def _lookups(store: Path, out: Path, search: str, budget: str = "2000 epochs",
             repeat: int = 1, workers: int = 1) -> str:
    return f"""experiment mf
seed = 3; repeat = {repeat}
budget = {budget}
space cell {{ topology = chain }}
evaluate nasbench101 {{ data = "{store}"; fitness = validation_accuracy }}
search {search}
run {{ workers = {workers} }}
output = "{out}"
"""


def _rows(journal: Path) -> dict[str, list[dict]]:
    """Each run's rows in the order they arrived: index, generation, hash, fitness, status
    and the metrics."""
    db = sqlite3.connect(journal)
    arrival = "arrival" in {c[1] for c in db.execute("PRAGMA table_info(evaluations)")}
    rows = db.execute("SELECT run, idx, generation, hash, fitness, status, metrics, "
                      f"{'coalesce(arrival, idx)' if arrival else 'idx'} AS a "
                      "FROM evaluations ORDER BY run, a").fetchall()
    db.close()
    out: dict[str, list[dict]] = defaultdict(list)
    for run, idx, gen, h, fitness, status, metrics, _ in rows:
        out[run].append({"index": idx, "generation": gen, "hash": h, "fitness": fitness,
                         "ok": status == "ok", **json.loads(metrics)})
    return out


def _ranked(rows: list[dict]) -> list[dict]:
    return sorted((r for r in rows if r["ok"]), key=lambda r: (-r["fitness"], r["index"]))


def _check_brackets(rows: list[dict], eta: int, ladder: tuple[int, ...],
                    sizes: list[tuple[int, int]] | None) -> int:
    """Every bracket's rungs promote exactly the top ⌊n/eta⌋ (at least one) of the rung
    below; returns how many brackets were checked."""
    by_bracket: dict[int, list[dict]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: r["index"]):
        by_bracket[r["generation"]].append(r)
    complete = 0
    for b, members in sorted(by_bracket.items()):
        rung_rows: dict[int, list[dict]] = defaultdict(list)
        for r in members:
            rung_rows[r["epochs"]].append(r)
        epochs = sorted(rung_rows)
        assert epochs == list(ladder[ladder.index(epochs[0]):ladder.index(epochs[0]) + len(epochs)])
        if sizes is not None:
            first, n = sizes[b % len(sizes)]
            assert epochs[0] == ladder[first]
            assert len(rung_rows[epochs[0]]) <= n
        for low, high in zip(epochs, epochs[1:]):
            below = rung_rows[low]
            keep = max(len(below) // eta, 1)
            expected = [r["hash"] for r in _ranked(below)[:keep]]
            assert [r["hash"] for r in rung_rows[high]] == expected[:len(rung_rows[high])]
        if epochs[-1] == ladder[-1]:
            complete += 1
    return complete


def test_the_ladder_and_hyperbands_brackets_are_the_papers():
    assert rungs(1, 3, 10) == (1, 3, 9, 10)
    assert rungs(1, 3, 9) == (1, 3, 9)
    assert rungs(4, 3, 108) == LADDER
    assert rungs(1, 2, 8) == (1, 2, 4, 8)
    # Li et al. 2018, Table 1 (R = 81, eta = 3): n = 81, 34, 15, 8, 5
    assert brackets(5, 3) == [(0, 81), (1, 34), (2, 15), (3, 8), (4, 5)]
    assert brackets(4, 3) == [(0, 27), (1, 12), (2, 6), (3, 4)]


@pytest.mark.parametrize("search, sizes", [
    ("successive_halving { eta = 3 }", [(0, 27)]),
    ("successive_halving { eta = 3; candidates = 10 }", None),
    ("hyperband { eta = 3 }", brackets(4, 3)),
])
def test_synchronous_searches_promote_exactly_the_top_of_each_rung(tmp_path, store, search,
                                                                     sizes):
    plan = loads(_lookups(store, tmp_path, search, "3000 epochs", repeat=2))
    run_plan(plan)
    for rows in _rows(tmp_path / "journal.sqlite").values():
        assert _check_brackets(rows, 3, LADDER, sizes) >= 2
        spent = sum(r["epochs_trained"] for r in rows)
        assert all(r["epochs_trained"] == r["epochs"] for r in rows)  # lookups: all of them
        assert spent - rows[-1]["epochs_trained"] < 3000 <= spent or spent <= 3000


def test_asha_promotes_only_from_the_top_of_a_rung_as_it_stands(tmp_path, store):
    run_plan(loads(_lookups(store, tmp_path, "asha { eta = 3 }", "4000 epochs", repeat=2)))
    for rows in _rows(tmp_path / "journal.sqlite").values():
        results: dict[int, list[dict]] = defaultdict(list)
        promoted: dict[int, set[str]] = defaultdict(set)
        promotions = 0
        for r in rows:  # one worker: each decision saw every earlier completion
            rung = LADDER.index(r["epochs"])
            expected = None
            for k in range(len(LADDER) - 2, -1, -1):
                top = _ranked(results[k])[:len(results[k]) // 3]
                waiting = [t for t in top if t["index"] not in promoted[k]]
                if waiting:
                    expected = (k, waiting[0])
                    break
            if expected is None:
                assert rung == 0, f"evaluation {r['index']} promoted with nothing promotable"
            else:
                k, parent = expected
                assert (rung, r["hash"]) == (k + 1, parent["hash"])
                promoted[k].add(parent["index"])
                promotions += 1
            results[rung].append(r)
        assert promotions > 10 and results[3], "the search reached the highest rung"
        assert r["generation"] == LADDER.index(r["epochs"])


def test_a_table_of_one_epoch_is_refused_before_the_run_naming_what_it_holds(tmp_path,
                                                                             nb101_store):
    exp = tmp_path / "mf.nas"
    exp.write_text(f"""experiment mf
budget = 2000 epochs
space cell {{ topology = chain }}
evaluate nasbench101 {{ data = "{nb101_store}"; fitness = test_accuracy }}
search hyperband
""")
    for command in (["check", "--strict"], ["run"]):
        done = subprocess.run([sys.executable, "-m", "nasdsl.cli", *command, str(exp)],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert "holds 108 epochs only" in done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists()


def test_an_epochs_budget_needs_a_multi_fidelity_search(tmp_path, store):
    with pytest.raises(DslError) as info:
        loads(_lookups(store, tmp_path, "random"), "exp.nas")
    assert "multi-fidelity" in str(info.value) and ":3:" in str(info.value)


def test_an_epochs_budget_no_journal_could_hold_is_refused(tmp_path, store):
    with pytest.raises(DslError) as info:
        loads(_lookups(store, tmp_path, "hyperband", budget="1e30 epochs"), "exp.nas")
    assert "epochs of training" in str(info.value) and ":3:" in str(info.value)


def test_rungs_the_table_lacks_are_refused_naming_them(tmp_path, store):
    with pytest.raises(Exception) as info:
        run_plan(loads(_lookups(store, tmp_path, "successive_halving { eta = 2 }")))
    assert "8, 16, 32, 64 epochs" in str(info.value) and "4, 12, 36, 108" in str(info.value)
    assert not (tmp_path / "journal.sqlite").exists()


TRAINEE = """experiment trainee
seed = 1; repeat = {repeat}
budget = {budget} epochs
space cell {{ vertices = 5; edges = 6 }}
evaluate "fidelity_toys:Trainee" {{ epochs = 9; pause = {pause} }}
search {search}
run {{ workers = {workers} }}
output = "{out}"
"""


def _on_path():
    old = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), old])}


@pytest.fixture
def toys_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))


def test_a_promoted_candidate_continues_its_parents_training(tmp_path, toys_importable):
    text = TRAINEE.format(repeat=1, budget=200, pause=0.0, workers=1, out=tmp_path,
                          search="hyperband { eta = 3; min_epochs = 1 }")
    summary = run_plan(loads(text))
    (rows,) = _rows(tmp_path / "journal.sqlite").values()
    by_index = {r["index"]: r for r in rows}
    continued = [r for r in rows if "continued_from" in r]
    assert len(continued) > 10
    assert all(r["ok"] for r in rows), [r for r in rows if not r["ok"]][:1]
    for r in continued:
        parent = by_index[r["continued_from"]]
        assert parent["hash"] == r["hash"] and parent["epochs"] < r["epochs"]
        epochs = [p[0] for p in parent["curve"]] + [p[0] for p in r["curve"]]
        assert epochs == list(range(epochs[0], r["epochs"] + 1))  # consecutive, not restarted
        assert r["epochs_trained"] == r["epochs"] - parent["epochs"]
        assert r["curve"][0][2] < parent["curve"][-1][2]  # the loss goes on falling
    assert sum(r["epochs_trained"] for r in rows) >= 200
    assert summary.best[next(iter(summary.best))] == max(
        r["fitness"] for r in rows if r["epochs"] == 9)
    assert not (tmp_path / "checkpoints").exists()  # a finished run keeps none

    write_report(tmp_path)
    counts = pd.read_csv(tmp_path / "fidelities.csv")
    assert counts["evaluations"].sum() == len(rows)
    assert list(counts["epochs"]) == [1, 3, 9]
    long = pd.read_csv(tmp_path / "curves.csv")
    assert len(long) == sum(len(r["curve"]) for r in rows)
    assert "curve" not in pd.read_csv(tmp_path / "evaluations.csv").columns
    assert "Learning curves" in (tmp_path / "report.html").read_text()
    summary_best = pd.read_csv(tmp_path / "summary.csv")["highest"].iloc[0]
    assert summary_best == pytest.approx(max(r["fitness"] for r in rows if r["epochs"] == 9))


def test_continue_false_trains_promotions_from_scratch(tmp_path, toys_importable):
    text = TRAINEE.format(repeat=1, budget=120, pause=0.0, workers=1, out=tmp_path,
                          search="successive_halving { min_epochs = 1; continue = false }")
    run_plan(loads(text))
    (rows,) = _rows(tmp_path / "journal.sqlite").values()
    assert all("continued_from" not in r and r["epochs_trained"] == r["epochs"] for r in rows)
    assert all(r["curve"][0][0] == 1 for r in rows)


def _comparable(rows: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    return {run: [(r["index"], r["hash"], r["fitness"], r["epochs"], r.get("continued_from"),
                   json.dumps(r["curve"])) for r in rs] for run, rs in rows.items()}


@pytest.mark.parametrize("search", ["hyperband { min_epochs = 1 }",
                                    pytest.param("asha { min_epochs = 1 }",
                                                 marks=pytest.mark.slow)])
def test_kill_9_mid_promotion_resumes_to_the_uninterrupted_journal(tmp_path, search):
    text = TRAINEE.format(repeat=1, budget=150, pause=0.01, workers=1, out="{out}",
                          search=search)
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for folder in (whole, cut):
        folder.mkdir()
        (folder / "exp.nas").write_text(text.replace("{out}", str(folder / "out")))
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas", "--quiet"],
                          cwd=whole, env=_on_path(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas", "--quiet"],
                           cwd=cut, env=_on_path(), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    journal = cut / "out" / "journal.sqlite"
    query = "SELECT count(*) FROM evaluations WHERE metrics LIKE '%continued_from%'"
    deadline = time.monotonic() + 120
    while journal_count(journal, query) < 3:  # inside the promotions
        assert run.poll() is None, run.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    states = list((cut / "out" / "checkpoints").rglob("*.state"))
    assert states, "the states of the trainings a promotion may continue are kept"
    before = _comparable(_rows(journal))
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas", "--quiet"],
                          cwd=cut, env=_on_path(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    after = _comparable(_rows(journal))
    assert after == _comparable(_rows(whole / "out" / "journal.sqlite"))
    assert all(after[r][:len(rows)] == rows for r, rows in before.items())
    assert not (cut / "out" / "checkpoints").exists()


def test_fresh_removes_the_checkpoints(tmp_path, toys_importable):
    folder = tmp_path / "out" / "checkpoints" / "abc-0"
    folder.mkdir(parents=True)
    (folder / "3.state").write_bytes(b"x")
    text = TRAINEE.format(repeat=1, budget=30, pause=0.0, workers=1, out=tmp_path / "out",
                          search="asha { min_epochs = 1 }")
    run_plan(loads(text), fresh=True)
    assert not (tmp_path / "out" / "checkpoints").exists()


def test_asha_keeps_two_dask_workers_busy_and_its_journal_replays(tmp_path, toys_importable):
    distributed = pytest.importorskip("distributed")
    from nasdsl.evaluation.batch import Batch
    from nasdsl.evaluation.fidelity import MemoryCheckpoints
    from nasdsl.evaluation.history import BudgetMeter
    from nasdsl.runner.components import Components
    from nasdsl.runner.task import run_id
    from fidelity_toys import Trainee

    text = TRAINEE.format(repeat=1, budget=120, pause=0.02, workers=2, out=tmp_path,
                          search="asha { min_epochs = 1 }")
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), old or ""])
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      host="127.0.0.1", dashboard_address=":0") as cluster:
            plan = loads(text)
            plan = replace(plan, execution=replace(plan.execution,
                                                   cluster=cluster.scheduler_address))
            summary = run_plan(plan)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old
    (rows,) = _rows(tmp_path / "journal.sqlite").values()
    assert sorted(r["index"] for r in rows) == list(range(len(rows)))
    assert any("continued_from" in r for r in rows) and all(r["ok"] for r in rows)

    class Scripted:  # the journal's arrival order, evaluated afresh here
        slots = 2

        def __init__(self, order):
            self.order, self.running, self.evaluator = list(order), {}, Trainee(epochs=9)

        def submit(self, index, item, seed, known=None):
            self.running[index] = (item, seed)

        def next(self):
            index = self.order.pop(0)
            item, seed = self.running.pop(index)
            return index, (self.evaluator.evaluate(item, seed=seed), 0.0)

        def cancel(self):
            self.running.clear()

    (run,) = plan.runs
    components = Components()
    space = components.space(run.config.space)
    optimizer = components.make_optimizer(run.config.algorithm, space, run.config.settings)
    meter = BudgetMeter(run.config.budget)
    batch = Batch(None, meter, run.seed, completions=Scripted([r["index"] for r in rows]),
                  fidelities=components.fidelities(run.config.evaluator),
                  checkpoints=MemoryCheckpoints())
    history = optimizer.search(batch, meter, np.random.default_rng(run.seed))
    assert [(e.index, space.key(e.arch), e.result.metrics["epochs"]) for e in history] == \
        [(r["index"], r["hash"], r["epochs"]) for r in rows]
    assert summary.best[run.key] == batch.best
    assert run_id(run) in _rows(tmp_path / "journal.sqlite")


def test_a_search_run_in_memory_is_told_what_the_evaluator_serves(store):
    from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
    from nasdsl.optimizers.hyperband import Hyperband
    from nasdsl.plan import Budget
    from nasdsl.spaces.cell_space import CellSpace

    history = Hyperband(CellSpace(topology="chain")).optimize(
        NASBench101Evaluator(data=str(store)), Budget(1000, "epochs"), seed=0)
    assert {e.result.metrics["epochs"] for e in history} == set(LADDER)
    best = history.best()
    assert best.result.metrics["epochs"] == 108  # judged at the highest fidelity
    assert best.fitness == max(e.fitness for e in history if e.result.metrics["epochs"] == 108)
