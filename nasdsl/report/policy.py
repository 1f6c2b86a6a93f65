"""What a learning controller ends on, and whether its target network matters.

For runs whose optimizer recorded a greedy policy's final architecture (the DQN controller),
from the journal alone:

- `policy.csv`, one row per run: the greedy architecture, its fitness when the run
  evaluated it, the run's best, and `converged`: the greedy architecture is the best found
  (the study's "converges at best").
- `policy_summary.csv`, one row per configuration: `best_found` (mean over runs of the run's
  best fitness), `best_found_max`, `converged` (runs), `mean_reward` (mean fitness over every
  episode of every run: how well the controller exploited what it learned).
- `network_comparison.csv`, one row per pair of configurations that differ only in
  `target_network` (the study's one- vs two-network runs, paired by seed): the two
  `best_found` and `mean_reward`, and a two-sided paired sign-flip permutation test of each
  over the runs (exact up to 16 pairs); `differ` is "yes" when either p is below 0.05.
"""
from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from nasdsl.report.source import ReportSource
from nasdsl.report.summary import run_best, valid

POLICY_CSV = "policy.csv"
POLICY_SUMMARY_CSV = "policy_summary.csv"
NETWORK_COMPARISON_CSV = "network_comparison.csv"
SIGNIFICANCE = 0.05
_EXACT_PAIRS = 16
_RESAMPLES = 100_000


def policy_runs(source: ReportSource) -> pd.DataFrame:
    """One row per run with a greedy policy: what it ends on and whether that is its best."""
    outcomes = source.outcomes
    if outcomes.empty or "greedy_key" not in outcomes:
        return pd.DataFrame()
    runs = outcomes[outcomes["greedy_key"].notna()][
        ["search", "config", "repeat", "seed", "greedy", "greedy_key"]]
    evaluations = source.evaluations  # its `run` is the repeat number
    best = run_best(evaluations)[["config", "run", "fitness", "hash", "architecture"]]
    best = best.rename(columns={"run": "repeat", "fitness": "best_fitness",
                                "hash": "best_key", "architecture": "best_architecture"})
    ok = valid(evaluations).rename(columns={"run": "repeat"})
    seen = ok.drop_duplicates(["config", "repeat", "hash"])[["config", "repeat", "hash",
                                                             "fitness"]]
    seen = seen.rename(columns={"hash": "greedy_key", "fitness": "greedy_fitness"})
    table = runs.merge(best, on=["config", "repeat"], how="left")
    table = table.merge(seen, on=["config", "repeat", "greedy_key"], how="left")
    table["converged"] = table["greedy_key"] == table["best_key"]
    columns = ["search", "config", "repeat", "seed", "greedy", "greedy_fitness",
               "best_fitness", "best_architecture", "converged", "greedy_key", "best_key"]
    return table[columns].reset_index(drop=True)


def policy_summary(source: ReportSource, runs: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: best found (mean, max), converged runs, mean reward."""
    if runs.empty:
        return pd.DataFrame()
    evaluations = source.evaluations
    reward = evaluations.assign(reward=evaluations["fitness"].where(
        evaluations["status"] == "ok").fillna(0.0))
    per_run = reward.groupby(["config", "run"])["reward"].agg(["mean", "size"])
    rows = []
    for config, group in runs.groupby("config", sort=False):
        episodes = per_run.loc[config] if config in per_run.index.get_level_values(0) else None
        rows.append({
            "search": group["search"].iloc[0], "config": config, "runs": len(group),
            "episodes": _count(episodes["size"].mean()) if episodes is not None else np.nan,
            "best_found": float(group["best_fitness"].mean()),
            "best_found_max": float(group["best_fitness"].max()),
            "converged": int(group["converged"].sum()),
            "mean_reward": float(episodes["mean"].mean()) if episodes is not None else np.nan,
        })
    table = pd.DataFrame(rows)
    swept = _swept(source)
    for key in sorted({k for values in swept.values() for k in values}):
        table[key] = table["config"].map(lambda c: swept.get(c, {}).get(key))
    return table


def network_comparison(source: ReportSource, runs: pd.DataFrame) -> pd.DataFrame:
    """Pairs of configurations differing only in `target_network`, compared run by run."""
    if runs.empty:
        return pd.DataFrame()
    settings = {row.config: dict(row.settings or {}) for row in source.configs.itertuples()}
    search = {row.config: row.search for row in source.configs.itertuples()}
    evaluations = source.evaluations
    reward = evaluations.assign(reward=evaluations["fitness"].where(
        evaluations["status"] == "ok").fillna(0.0))
    mean_reward = reward.groupby(["config", "run"])["reward"].mean()
    configs = [c for c in source.configs["config"] if c in set(runs["config"])]
    rows = []
    for one, two in itertools.permutations(configs, 2):
        a, b = settings[one], settings[two]
        if (a.get("target_network") is not False or b.get("target_network") is not True
                or search[one] != search[two]
                or {k: v for k, v in a.items() if k != "target_network"}
                != {k: v for k, v in b.items() if k != "target_network"}):
            continue
        best = runs.pivot_table(index="repeat", columns="config", values="best_fitness")
        paired = best[[one, two]].dropna()
        means = mean_reward.unstack(0)[[one, two]].dropna()
        p_best = paired_p_value(paired[one].to_numpy(), paired[two].to_numpy())
        p_mean = paired_p_value(means[one].to_numpy(), means[two].to_numpy())
        converged = runs.groupby("config")["converged"].sum()
        rows.append({
            "search": search[one], "one_network": one, "two_networks": two,
            "runs": len(paired),
            "best_found_one": float(paired[one].mean()),
            "best_found_two": float(paired[two].mean()), "p_best": p_best,
            "converged_one": int(converged.get(one, 0)),
            "converged_two": int(converged.get(two, 0)),
            "mean_reward_one": float(means[one].mean()),
            "mean_reward_two": float(means[two].mean()), "p_mean_reward": p_mean,
            "differ": "yes" if min(p_best, p_mean) < SIGNIFICANCE else "no",
        })
    return pd.DataFrame(rows)


def paired_p_value(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided paired sign-flip permutation test of mean(a - b) = 0: the share of sign
    assignments whose |mean difference| reaches the observed one. Exact for up to 16 pairs,
    else 100,000 fixed-seed resamples. 1.0 when there is nothing to compare."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) == 0 or not np.any(d):
        return 1.0
    observed = abs(d.mean())
    if len(d) <= _EXACT_PAIRS:
        signs = 1 - 2 * ((np.arange(1 << len(d))[:, None] >> np.arange(len(d))) & 1)
    else:
        signs = np.random.default_rng(0).choice((-1, 1), size=(_RESAMPLES, len(d)))
    means = np.abs(signs @ d) / len(d)
    return float(np.mean(means >= observed - 1e-12))


def write_policy(folder: Path, source: ReportSource, show: bool = False,
                 out: TextIO | None = None) -> list[Path]:
    """Write the three tables when the journal holds greedy policies; print the last two
    when `show`. Returns the files written."""
    runs = policy_runs(source)
    if runs.empty:
        return []
    summary = policy_summary(source, runs)
    comparison = network_comparison(source, runs)
    paths = [folder / POLICY_CSV, folder / POLICY_SUMMARY_CSV]
    runs.to_csv(paths[0], index=False)
    summary.to_csv(paths[1], index=False)
    if not comparison.empty:
        paths.append(folder / NETWORK_COMPARISON_CSV)
        comparison.to_csv(paths[2], index=False)
    if show:
        out = out or sys.stdout
        print("\ngreedy policy at the end of each run (converged: runs ending on their best)",
              file=out)
        print(_plain(summary.drop(columns=["search"])), file=out)
        if not comparison.empty:
            print("\none network against two (paired by seed)", file=out)
            print(_plain(comparison.drop(columns=["search"])), file=out)
    return paths


def _count(value: float) -> float | int:
    """A mean count as an integer when it is whole (every run the same length)."""
    return int(value) if float(value).is_integer() else float(value)


def _swept(source: ReportSource) -> dict[str, dict]:
    return {row.config: dict(row.swept or {}) for row in source.configs.itertuples()}


def _plain(table: pd.DataFrame) -> str:
    def text(v: object) -> str:
        if isinstance(v, float):
            return "-" if v != v else f"{v:.4f}"
        return str(v)

    return table.map(text).to_string(index=False)
