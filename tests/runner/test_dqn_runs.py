"""DQN runs through the runner on NAS-Bench-101: the greedy policy is journaled, the report
says whether it converged and compares one network with two, and a killed run resumes by
replay to exactly the uninterrupted result, for the dense and the LSTM controller."""
from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path

import pandas as pd
import pytest

from nasdsl.dsl import loads
from nasdsl.journal import Journal
from nasdsl.experiment import run_experiment
from test_kill_resume import Twins, evaluation_rows

EXPERIMENT = """\
experiment dqn_small
seed = 1
repeat = {repeat}
budget = {budget} evaluations
space cell {{ topology = chain }}
evaluate nasbench101 {{ {data}fitness = test_accuracy; report = [test_accuracy] }}
search dqn as dense {{ network = dense(units = [32, 32]); replay = 200; batch_size = 16
                      target_network in [false, true] }}
search dqn as lstm  {{ network = lstm(units = 16); replay = 200; batch_size = 16 }}
output = "{output}"
"""


def _text(output: Path, budget: int, repeat: int, store: Path | None = None) -> str:
    data = f'data = "{store}"; ' if store is not None else ""
    return EXPERIMENT.format(budget=budget, repeat=repeat, data=data, output=output)


def _outcomes(journal: Path) -> list[tuple]:
    db = sqlite3.connect(journal)
    rows = db.execute("SELECT run, outcome FROM outcomes ORDER BY run").fetchall()
    db.close()
    return rows


def _cut(journal: Path, search: str, keep: int) -> None:
    """Make the journal look killed inside a run of `search`: `keep` rows, no outcome."""
    db = sqlite3.connect(journal)
    run = db.execute("SELECT r.run FROM runs r JOIN configs c ON c.config = r.config "
                     "WHERE c.search = ? ORDER BY r.repeat DESC", (search,)).fetchone()[0]
    db.execute("DELETE FROM evaluations WHERE run = ? AND idx >= ?", (run, keep))
    db.execute("DELETE FROM outcomes WHERE run = ?", (run,))
    db.execute("UPDATE runs SET status = 'running', evaluations = ? WHERE run = ?", (keep, run))
    db.commit()
    db.close()


def test_greedy_policies_are_journaled_reported_and_replayed(tmp_path: Path, nb101_store: Path):
    out = tmp_path / "out"
    plan = loads(_text(out, budget=30, repeat=2, store=nb101_store))
    run_experiment(plan)
    journal = out / "journal.sqlite"
    rows, outcomes = evaluation_rows(journal), _outcomes(journal)
    assert len(rows) == 6 * 30 and len(outcomes) == 6
    with Journal.open(journal) as j:
        recorded = j.outcomes()
    assert set(recorded["config"]) == {"dense[target_network=false]",
                                       "dense[target_network=true]", "lstm"}
    assert (recorded["episodes"] == 30).all() and (recorded["training_steps"] > 0).all()

    policy = pd.read_csv(out / "policy.csv")
    assert len(policy) == 6 and policy["converged"].dtype == bool
    # converged means: the greedy architecture is the run's best by fitness.
    same = policy["greedy_key"] == policy["best_key"]
    assert (policy["converged"] == same).all()
    assert (policy.loc[policy["converged"], "greedy_fitness"]
            == policy.loc[policy["converged"], "best_fitness"]).all()
    summary = pd.read_csv(out / "policy_summary.csv")
    assert summary["runs"].tolist() == [2, 2, 2]
    comparison = pd.read_csv(out / "network_comparison.csv")
    assert comparison[["one_network", "two_networks"]].values.tolist() == [
        ["dense[target_network=false]", "dense[target_network=true]"]]
    assert comparison["differ"].iloc[0] in ("yes", "no")

    # A run killed part-way, in each controller: the rerun replays it to the same end.
    _cut(journal, "dense", keep=13)
    _cut(journal, "lstm", keep=21)
    summary_run = run_experiment(plan)
    assert summary_run.runs == 2 and summary_run.replayed == 13 + 21
    assert evaluation_rows(journal) == rows
    assert _outcomes(journal) == outcomes
    assert pd.read_csv(out / "policy.csv").equals(policy)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_kill_9_then_rerun_gives_the_uninterrupted_summary(tmp_path: Path, nb101_store: Path):
    """`nasdsl run` killed twice (inside a dense run, then inside an LSTM run), rerun to the
    end: the journal and every report table are the uninterrupted run's."""
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent),
           "NASDSL_KILL_TEST": uuid.uuid4().hex}
    budget = 1000
    twins = Twins(tmp_path, _text(Path("out"), budget=budget, repeat=1), env)
    twins.run("whole")
    # First kill inside the first (dense) run, then inside the last (LSTM) one (early in it:
    # a run of a few hundred episodes can end within the random wait before the kill).
    for at_least in (budget // 3, 2 * budget + 1):
        assert twins.kill(at_least) < 3 * budget
    twins.run("killed")
    whole, killed = twins.out("whole"), twins.out("killed")
    journal = killed / "journal.sqlite"
    assert evaluation_rows(journal) == evaluation_rows(whole / "journal.sqlite")
    assert _outcomes(journal) == _outcomes(whole / "journal.sqlite")
    for table in ("summary.csv", "policy.csv", "policy_summary.csv",
                  "network_comparison.csv"):
        assert pd.read_csv(killed / table).equals(pd.read_csv(whole / table)), table
