"""Multi-objective searches through the runner on NAS-Bench-101: every objective's value
journaled, cheap objectives never counted, a killed run resumed by replay to exactly the
uninterrupted journal, and the fronts reported."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nasdsl.dsl import loads
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.experiment import run_experiment
from nasdsl.objectives import Objective, Objectives
from nasdsl.optimizers import make_optimizer
from nasdsl.spaces import CellSpace
from test_dqn_runs import _cut
from test_kill_resume import evaluation_rows, kill_when_journaled

SEARCHES = {
    "random": "search random",
    "pareto_local_search": "search pareto_local_search",
    "pygmo.nsga2": "search pygmo.nsga2 { population = 20 }",
    "pygmo.nsga3": "search pygmo.nsga3 { population = 20 }",
    "pygmo.moead": "search pygmo.moead { population = 20 }",
    "pygmo.moead_gen": "search pygmo.moead_gen { population = 20 }",
    "pygmo.nspso": "search pygmo.nspso { population = 20 }",
    "pygmo.maco": "search pygmo.maco { population = 20 }",
    "pygmo.ihs": "search pygmo.ihs { population = 20 }",
}

EXPERIMENT = """\
experiment fronts
seed = 4
repeat = {repeat}
budget = {budget} evaluations
space cell {{ }}
evaluate nasbench101 {{ {data}objectives = [maximize(test_accuracy), minimize(parameters)] }}
{search}
output = "{output}"
"""


def _text(output: Path | str, search: str, budget: int, repeat: int = 1,
          store: Path | None = None) -> str:
    data = f'data = "{store}"; ' if store is not None else ""
    return EXPERIMENT.format(budget=budget, repeat=repeat, data=data, output=output,
                             search=SEARCHES[search])


def _cut_and_resume(tmp_path: Path, store: Path, search: str, budget: int, keep: int) -> None:
    out = tmp_path / "out"
    plan = loads(_text(out, search, budget, repeat=2, store=store))
    run_experiment(plan)
    journal = out / "journal.sqlite"
    rows = evaluation_rows(journal)
    assert len(rows) == 2 * budget
    summary = (out / "summary.csv").read_text()
    _cut(journal, search, keep=keep)
    resumed = run_experiment(plan)
    assert resumed.runs == 1 and resumed.replayed == keep
    assert evaluation_rows(journal) == rows
    assert (out / "summary.csv").read_text() == summary


@pytest.mark.slow
@pytest.mark.parametrize("search", sorted(SEARCHES))
def test_every_multi_objective_search_replays_a_cut_run_to_the_same_journal(
        tmp_path: Path, nb101_store: Path, search: str):
    _cut_and_resume(tmp_path, nb101_store, search, budget=120, keep=53)


def test_a_run_keeps_every_objective_and_reports_its_front(tmp_path: Path, nb101_store: Path):
    out = tmp_path / "out"
    run_experiment(loads(_text(out, "pareto_local_search", 60, store=nb101_store)))
    rows = pd.read_csv(out / "evaluations.csv")
    assert len(rows) == 60 and rows["parameters"].notna().all()
    assert (rows["fitness"] == rows["test_accuracy"]).all()
    summary = pd.read_csv(out / "summary.csv")
    assert 0.5 < summary.at[0, "hypervolume"] < 0.9529 and 0 < summary.at[0, "igd"]
    assert 0 <= summary.at[0, "share_found"] < 1
    front = pd.read_csv(out / "front.csv")
    assert 0 < len(front) < 60 and set(front["hash"]) <= set(rows["hash"])
    assert front["parameters"].is_monotonic_increasing
    assert front["test_accuracy"].is_monotonic_increasing  # a front: more size, more accuracy
    assert (out / "front.png").stat().st_size > 0 and (out / "hypervolume.png").is_file()
    assert "hypervolume" in (out / "report.html").read_text()


def test_cheap_objectives_are_known_without_spending_the_budget(nb101_store: Path):
    """The search asks for the parameters of hundreds of architectures (its pool) and the
    budget counts only the evaluations: each a table lookup of the accuracy."""
    store = str(nb101_store)
    known = NASBench101Evaluator.cheap_function({"data": store})
    asked = []

    def counted(arch):
        asked.append(arch)
        return known(arch)

    search = make_optimizer("pareto_local_search", CellSpace(), {"initial": 10, "pool": 300})
    search.aim(Objectives((Objective("test_accuracy", "maximize"),
                           Objective("parameters", "minimize")), counted))
    evaluator = NASBench101Evaluator(data=store, fitness="test_accuracy", report=[],
                                     objectives=None)
    lookups = []
    original = evaluator.evaluate_batch

    def evaluate_batch(items, seeds=None):
        lookups.extend(items)
        return original(items, seeds)

    evaluator.evaluate_batch = evaluate_batch
    history = search.optimize(_with_parameters(evaluator, known), 40, seed=1)
    assert len(history) == 40 and len(asked) >= 300
    assert len(lookups) == 40


def _with_parameters(evaluator, known):
    """The evaluator's results with the parameters recorded, as the runner's evaluator
    records every objective (the evaluator itself is the real one)."""
    from nasdsl.result import Result

    class WithParameters:
        def evaluate_batch(self, items, seeds=None):
            results = evaluator.evaluate_batch(items, seeds)
            return [Result(r.fitness, {**r.metrics, **known(x)}, r.cost_seconds, r.status,
                           r.error) for x, r in zip(items, results)]

        def evaluate(self, x, seed=None):
            return self.evaluate_batch([x], [seed])[0]

    return WithParameters()


def test_kill_9_then_rerun_gives_the_uninterrupted_journal(tmp_path: Path, nb101_store: Path):
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}
    budget = 8000  # several commits: the kill lands inside the run
    files = {}
    for name in ("whole", "killed"):
        folder = tmp_path / name
        folder.mkdir()
        files[name] = folder / "exp.nas"
        files[name].write_text(_text("out", "pareto_local_search", budget))

    def nasdsl_run(path: Path) -> None:
        done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(path), "--quiet"],
                              env=env, cwd=path.parent, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr

    nasdsl_run(files["whole"])
    reference = evaluation_rows(tmp_path / "whole" / "out" / "journal.sqlite")
    assert len(reference) == budget
    journal = tmp_path / "killed" / "out" / "journal.sqlite"
    tagged = {**env, "NASDSL_KILL_TEST": uuid.uuid4().hex}
    kill_when_journaled([sys.executable, "-m", "nasdsl.cli", "run", str(files["killed"]),
                         "--quiet"], journal, tagged, cwd=files["killed"].parent)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < budget and set(partial) <= set(reference)
    nasdsl_run(files["killed"])
    assert evaluation_rows(journal) == reference
    front = np.asarray(pd.read_csv(tmp_path / "killed" / "out" / "front.csv")["parameters"])
    assert len(front) > 5
