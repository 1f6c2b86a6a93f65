"""Reports of multi-objective runs: hypervolume, IGD, the share of the true front found,
`front.csv`, `front.png` and `hypervolume.png`, read from the journal only.

Each run's set is every ok evaluation's objective values (its archive); its front is their
non-dominated part. Scores follow EvoXBench: objectives in minimization form, normalised by
the ideal and nadir points of the space's true front, hypervolume (pygmo's) against
(1, …, 1), IGD in the same normalised space. The true front is the one the journal recorded
when the run started (`fronts` meta, NAS-Bench-101: exact, from the table); where none is
known (training), the reference is the front of every run in the report, and `share_found`
is left empty.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nasdsl.objectives import Objective, objectives_of, signs
from nasdsl.pareto import (front, hypervolume, igd, nondominated, normalise,
                           normalised_hypervolume, share_found)

FRONT_CSV = "front.csv"
FRONT_PNG = "front.png"
HYPERVOLUME_PNG = "hypervolume.png"
CHECKPOINTS = 40
"""Evaluation counts (log-spaced) at which `hypervolume.png` measures each run."""
SIZES = ("parameters", "trainable_parameters", "flops")
"""Objectives drawn on a log axis."""


def objectives_by_config(configs: pd.DataFrame) -> dict[str, tuple[Objective, ...]]:
    """Each configuration's objectives (those with none are left out)."""
    out = {}
    for c in configs.itertuples(index=False):
        aims = objectives_of(dict((dict(c.evaluator or {})).get("settings") or {}))
        if aims:
            out[str(c.config)] = aims
    return out


def _points(rows: pd.DataFrame, aims: tuple[Objective, ...]) -> np.ndarray:
    """The rows' objective values in minimization form (rows lacking one left out)."""
    if rows.empty or any(o.metric not in rows for o in aims):
        return np.empty((0, len(aims)))
    ok = rows[rows["status"] == "ok"]
    values = ok[[o.metric for o in aims]].apply(pd.to_numeric, errors="coerce").to_numpy(float)
    values = values[np.isfinite(values).all(axis=1)]
    return values * np.asarray(signs(aims))


def true_fronts(meta: dict, configs: pd.DataFrame) -> dict[str, np.ndarray | None]:
    """Each multi-objective configuration's true front (minimization form), as recorded."""
    from nasdsl.evaluators.optimum import front_key

    recorded = json.loads(meta.get("fronts") or "{}")
    out: dict[str, np.ndarray | None] = {}
    for c in configs.itertuples(index=False):
        aims = objectives_of(dict((dict(c.evaluator or {})).get("settings") or {}))
        if not aims:
            continue
        value = recorded.get(front_key(dict(c.evaluator or {}), list(aims),
                                       dict(c.space or {})))
        out[str(c.config)] = None if not value else np.asarray(value, float) * np.asarray(
            signs(aims))
    return out


def run_scores(evaluations: pd.DataFrame, configs: pd.DataFrame, meta: dict) -> pd.DataFrame:
    """One row per run: config, run, evaluations, front_size, hypervolume, igd, share_found."""
    aims_of = objectives_by_config(configs)
    references = _references(evaluations, aims_of, true_fronts(meta, configs))
    rows = []
    for (config, run), group in evaluations.groupby(["config", "run"], sort=False):
        aims = aims_of.get(str(config))
        reference, exact = references.get(str(config), (None, False))
        if aims is None or reference is None:
            continue
        points = _points(group, aims)
        rows.append({"config": config, "run": run, "evaluations": len(group),
                     "front_size": int(nondominated(points).sum()) if len(points) else 0,
                     "hypervolume": normalised_hypervolume(points, reference),
                     "igd": igd(points, reference),
                     "share_found": share_found(points, reference) if exact else np.nan})
    return pd.DataFrame(rows, columns=["config", "run", "evaluations", "front_size",
                                       "hypervolume", "igd", "share_found"])


def _references(evaluations: pd.DataFrame, aims_of: dict[str, tuple[Objective, ...]],
                recorded: dict[str, np.ndarray | None]
                ) -> dict[str, tuple[np.ndarray | None, bool]]:
    """(reference front, exact) per configuration: the recorded true front, else the front
    of every run of every configuration with the same objectives."""
    out: dict[str, tuple[np.ndarray | None, bool]] = {}
    pooled: dict[tuple, np.ndarray] = {}
    for config, aims in aims_of.items():
        known = recorded.get(config)
        if known is not None and len(known):
            out[config] = (known, True)
            continue
        if aims not in pooled:
            same = [c for c, a in aims_of.items() if a == aims]
            points = _points(evaluations[evaluations["config"].isin(same)], aims)
            pooled[aims] = front(points) if len(points) else points
        out[config] = (pooled[aims] if len(pooled[aims]) else None, False)
    return out


def summary_columns(scores: pd.DataFrame) -> pd.DataFrame:
    """Per configuration: hypervolume and IGD (mean, std over runs), share_found (mean)."""
    if scores.empty:
        return pd.DataFrame(columns=["config"])
    grouped = scores.groupby("config", sort=False)
    return pd.DataFrame({
        "hypervolume": grouped["hypervolume"].mean(),
        "hypervolume_std": grouped["hypervolume"].std(ddof=0),
        "igd": grouped["igd"].mean(), "igd_std": grouped["igd"].std(ddof=0),
        "share_found": grouped["share_found"].mean()}).reset_index()


def front_table(evaluations: pd.DataFrame, configs: pd.DataFrame) -> pd.DataFrame:
    """Each run's non-dominated architectures: config, run, index, hash, architecture and
    each objective's value (as the evaluator recorded it)."""
    aims_of = objectives_by_config(configs)
    parts = []
    for (config, run), group in evaluations.groupby(["config", "run"], sort=False):
        aims = aims_of.get(str(config))
        if aims is None or any(o.metric not in group for o in aims):
            continue
        ok = group[group["status"] == "ok"]
        values = ok[[o.metric for o in aims]].apply(pd.to_numeric, errors="coerce")
        ok = ok[np.isfinite(values.to_numpy(float)).all(axis=1)]
        if ok.empty:
            continue
        mask = nondominated(_points(ok, aims))
        chosen = ok[mask]
        parts.append(chosen[["config", "run", "index", "hash", "architecture",
                             *(o.metric for o in aims)]])
    if not parts:
        return pd.DataFrame(columns=["config", "run", "index", "hash", "architecture"])
    table = pd.concat(parts, ignore_index=True)
    first = next(iter(aims_of.values()))[0].metric
    return table.sort_values(["config", "run", first], kind="stable", ignore_index=True)


def hypervolume_curves(evaluations: pd.DataFrame, configs: pd.DataFrame, meta: dict
                       ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per configuration: (evaluation counts, mean normalised hypervolume over runs)."""
    aims_of = objectives_by_config(configs)
    references = _references(evaluations, aims_of, true_fronts(meta, configs))
    out = {}
    for config, group in evaluations.groupby("config", sort=False):
        aims = aims_of.get(str(config))
        reference = references.get(str(config), (None, False))[0]
        if aims is None or reference is None:
            continue
        longest = int(group.groupby("run").size().max())
        counts = np.unique(np.geomspace(1, max(longest, 1), CHECKPOINTS).round().astype(int))
        curves = []
        for _, run in group.groupby("run", sort=False):
            run = run.sort_values("index")
            ok = (run["status"] == "ok").to_numpy()
            values = run[[o.metric for o in aims]].apply(pd.to_numeric, errors="coerce")
            points = values.to_numpy(float) * np.asarray(signs(aims))
            points[~ok] = np.nan
            scaled = normalise(points, reference)
            curves.append([hypervolume(scaled[:n][np.isfinite(scaled[:n]).all(axis=1)])
                           for n in counts])
        out[str(config)] = (counts, np.nanmean(np.asarray(curves, float), axis=0))
    return out


def plot_front(evaluations: pd.DataFrame, configs: pd.DataFrame, meta: dict, plotted: list[str],
               path: Path, title: str, labels: dict[str, str]) -> Path | None:
    """The non-dominated sets of all runs of each configuration beside the true front, on
    the first two objectives (a size on a log axis); None when no configuration has
    objectives."""
    from nasdsl.report.plots import _finish, _pyplot, _save

    aims_of = objectives_by_config(configs)
    shown = [c for c in plotted if c in aims_of]
    if not shown:
        return None
    aims = aims_of[shown[0]]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    table = front_table(evaluations[evaluations["config"].isin(shown)], configs)
    x_axis, y_axis = _axes(aims)
    for config in shown:
        rows = table[table["config"] == config]
        if len(rows):
            ax.scatter(rows[aims[x_axis].metric], rows[aims[y_axis].metric], s=10, alpha=0.6,
                       label=labels.get(config, config))
    known = true_fronts(meta, configs).get(shown[0])
    if known is not None and len(known):
        raw = known * np.asarray(signs(aims))
        order = np.argsort(raw[:, x_axis])
        ax.step(raw[order, x_axis], raw[order, y_axis], where="post", color="black",
                linewidth=1, label="true front")
    if aims[x_axis].metric in SIZES:
        ax.set_xscale("log")
    _finish(ax, f"{aims[x_axis]}", f"{aims[y_axis]}", title)
    _save(fig, ax, path)
    plt.close(fig)
    return path


def _axes(aims: tuple[Objective, ...]) -> tuple[int, int]:
    """(x, y) objective indices: a size along x when there is one."""
    sized = [i for i, o in enumerate(aims) if o.metric in SIZES]
    x = sized[0] if sized else 0
    y = next(i for i in range(len(aims)) if i != x)
    return x, y


def plot_hypervolume(curves: dict[str, tuple[np.ndarray, np.ndarray]], plotted: list[str],
                     path: Path, title: str, labels: dict[str, str]) -> Path | None:
    """Mean normalised hypervolume against evaluations (log axis), one line a config."""
    from nasdsl.report.plots import _finish, _pyplot, _save

    shown = [c for c in plotted if c in curves]
    if not shown:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    for config in shown:
        counts, mean = curves[config]
        ax.plot(counts, mean, label=labels.get(config, config))
    ax.set_xscale("log")
    _finish(ax, "evaluations", "hypervolume (normalised by the true front; mean over runs)",
            title)
    _save(fig, ax, path)
    plt.close(fig)
    return path


def write_fronts(folder: Path, source: Any, summary: pd.DataFrame, plotted: list[str],
                 title: str, labels: dict[str, str]) -> tuple[pd.DataFrame, list[tuple[str, bytes]]]:
    """`front.csv`, `front.png` and `hypervolume.png` for the multi-objective
    configurations; returns the summary with their scores and the images for the page."""
    evaluations, configs, meta = source.evaluations, source.configs, source.meta
    if not objectives_by_config(configs):
        return summary, []
    scores = run_scores(evaluations, configs, meta)
    summary = summary.merge(summary_columns(scores), on="config", how="left")
    front_table(evaluations, configs).to_csv(folder / FRONT_CSV, index=False)
    images = []
    if plot_front(evaluations, configs, meta, plotted, folder / FRONT_PNG, title, labels):
        images.append(("Each configuration's fronts (all runs) beside the true front",
                       (folder / FRONT_PNG).read_bytes()))
    curves = hypervolume_curves(evaluations, configs, meta)
    if plot_hypervolume(curves, plotted, folder / HYPERVOLUME_PNG, title, labels):
        images.append(("Hypervolume against evaluations", (folder / HYPERVOLUME_PNG).read_bytes()))
    return summary, images
