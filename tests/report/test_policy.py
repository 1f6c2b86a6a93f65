"""The policy report, from a hand-made journal with known greedy policies: converged runs,
the summary, the one- against two-network comparison and its permutation test."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from journal_fixtures import SPACE, EVALUATOR
from nasdsl.journal import Journal
from nasdsl.plan import Budget, SearchConfig
from nasdsl.report import write_report
from nasdsl.report.policy import paired_p_value, write_policy
from nasdsl.report.source import read_journal


def _config(target_network: bool, index: int) -> SearchConfig:
    return SearchConfig(label="dense", algorithm="dqn",
                        settings={"target_network": target_network, "gamma": 1.0},
                        swept={"target_network": target_network}, budget=Budget(4, "evaluations"),
                        space=SPACE, evaluator=EVALUATOR, index=index)


ONE, TWO = _config(False, 0), _config(True, 1)
# Per configuration and repeat: fitness of the four episodes (hash h<i>) and the greedy hash.
RUNS = [
    (ONE, {0: ([0.5, 0.7, 0.6, 0.4], "h2"), 1: ([0.2, 0.3, 0.9, 0.1], "h2"),
          2: ([0.1, 0.8, 0.2, 0.3], "h0")}),
    (TWO, {0: ([0.5, 0.9, 0.9, 0.9], "h1"), 1: ([0.3, 0.9, 0.8, 0.9], "h1"),
          2: ([0.8, 0.7, 0.9, 0.9], "h9")}),
]


def _journal(path: Path) -> Path:
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "1", "experiment": "policies", "seed": 0,
                            "repeat": 3, "source": "", "created": 0})
        journal.write_configs([ONE, TWO])
        for cfg, runs in RUNS:
            for repeat, (fitness, greedy) in runs.items():
                run = f"{cfg.key}#{repeat}"
                journal.start_run(run, cfg.key, repeat, repeat)
                rows = [(run, i, 0, f"arch-{i}", f"h{i}", f, "ok", None, 0.0, 0.0, "{}")
                        for i, f in enumerate(fitness)]
                journal.append(rows, finished=(run, len(rows)),
                               outcome={"greedy": f"arch-{greedy[1:]}", "greedy_key": greedy})
    return path


def test_converged_means_the_greedy_architecture_is_the_runs_best(tmp_path: Path):
    out = io.StringIO()
    source = read_journal(_journal(tmp_path / "journal.sqlite"))
    write_policy(tmp_path, source, show=True, out=out)
    runs = pd.read_csv(tmp_path / "policy.csv")
    # ONE: bests h1 (0.7), h2 (0.9), h1 (0.8); TWO: h1 (0.9, earliest of equals) three times.
    assert runs["converged"].tolist() == [False, True, False, True, True, False]
    assert runs["greedy_fitness"].tolist()[:2] == [0.6, 0.9]
    assert pd.isna(runs["greedy_fitness"].iloc[5])  # h9 was never evaluated
    summary = pd.read_csv(tmp_path / "policy_summary.csv")
    assert summary["converged"].tolist() == [1, 2]
    assert summary["best_found"].tolist() == pytest.approx([0.8, 0.9])
    assert summary["mean_reward"].tolist() == pytest.approx([0.425, 0.78333333])
    comparison = pd.read_csv(tmp_path / "network_comparison.csv")
    row = comparison.iloc[0]
    assert (row["one_network"], row["two_networks"]) == (ONE.key, TWO.key)
    assert row["runs"] == 3 and row["p_mean_reward"] == pytest.approx(0.25)
    assert row["differ"] == "no"  # three pairs cannot reach p < 0.05
    assert "one network against two" in out.getvalue()


def test_the_report_writes_policies_only_for_controllers(tmp_path: Path):
    from journal_fixtures import write_journal

    write_report(tmp_path / "a", journal=_journal(tmp_path / "a.sqlite"))
    assert (tmp_path / "a" / "policy.csv").exists()
    write_report(tmp_path / "b", journal=write_journal(tmp_path / "b.sqlite"))
    assert not (tmp_path / "b" / "policy.csv").exists()


def test_paired_permutation_test():
    assert paired_p_value([1, 2, 3], [1, 2, 3]) == 1.0
    # Ten pairs, all a above b: only the all-plus and all-minus sign patterns reach it.
    assert paired_p_value([1.0] * 10, [0.0] * 10) == pytest.approx(2 / 1024)
    assert paired_p_value([1, -1, 2, -2], [0, 0, 0, 0]) == 1.0
    # More pairs than the exact enumeration takes: resampled, and still small.
    assert paired_p_value([1.0] * 20, [0.0] * 20) < 0.001
