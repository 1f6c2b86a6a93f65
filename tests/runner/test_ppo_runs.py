"""PPO runs through the runner on NAS-Bench-101: the greedy policy is journaled and reported,
and a killed run resumes by replay to exactly the uninterrupted result (its policy is
retrained from the replayed rewards, never stored)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pandas as pd
import pytest

from nasdsl.dsl import loads
from nasdsl.experiment import run_experiment
from test_dqn_runs import _cut, _outcomes
from test_kill_resume import Twins, evaluation_rows

EXPERIMENT = """\
experiment ppo_small
seed = 2
repeat = {repeat}
budget = {budget} evaluations
space cell {{ inputs = 2 }}
evaluate nasbench101 {{ {data}fitness = test_accuracy; report = [test_accuracy] }}
search ppo {{ units = 16; batch = 10 }}
output = "{output}"
"""


def _text(output: Path, budget: int, repeat: int, store: Path | None = None) -> str:
    data = f'data = "{store}"; ' if store is not None else ""
    return EXPERIMENT.format(budget=budget, repeat=repeat, data=data, output=output)


def test_a_cut_run_replays_to_the_same_journal_and_policy(tmp_path: Path, nb101_store: Path):
    out = tmp_path / "out"
    plan = loads(_text(out, budget=40, repeat=2, store=nb101_store))
    run_experiment(plan)
    journal = out / "journal.sqlite"
    rows, outcomes = evaluation_rows(journal), _outcomes(journal)
    assert len(rows) == 2 * 40 and len(outcomes) == 2
    policy = pd.read_csv(out / "policy.csv")
    assert len(policy) == 2 and (policy["search"] == "ppo").all()
    summary = (out / "summary.csv").read_text()

    # Killed in the middle of a batch of episodes (23 of 40: inside the third batch).
    _cut(journal, "ppo", keep=23)
    resumed = run_experiment(plan)
    assert resumed.runs == 1 and resumed.replayed == 23
    assert evaluation_rows(journal) == rows
    assert _outcomes(journal) == outcomes
    assert pd.read_csv(out / "policy.csv").equals(policy)
    assert (out / "summary.csv").read_text() == summary


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_then_rerun_gives_the_uninterrupted_summary(tmp_path: Path, nb101_store: Path):
    """`nasdsl run` killed with SIGKILL inside the second run, rerun to the end: the journal
    and the reports are the uninterrupted run's."""
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent),
           "NASDSL_KILL_TEST": uuid.uuid4().hex}
    budget = 2000  # the second run must outlast the random wait before the kill
    twins = Twins(tmp_path, _text(Path("out"), budget=budget, repeat=2), env)
    twins.run("whole")
    assert twins.kill(at_least=budget + 10) < 2 * budget
    twins.run("killed")
    whole, killed = twins.out("whole"), twins.out("killed")
    journal = killed / "journal.sqlite"
    assert evaluation_rows(journal) == evaluation_rows(whole / "journal.sqlite")
    assert _outcomes(journal) == _outcomes(whole / "journal.sqlite")
    for table in ("summary.csv", "policy.csv"):
        assert pd.read_csv(killed / table).equals(pd.read_csv(whole / table)), table
