"""The report's plots (PNG, matplotlib's Agg backend: no display needed).

`best_so_far.png`: best fitness so far against evaluations (a log axis: searches move early
and then slowly), mean over runs, one line per configuration, with a ± std band when there
are at most BANDS lines; the y axis is zoomed to where the configurations differ (from a
tenth of the budget on), since differences of 0.002 matter where the whole range is 0.1. `generations.png`: b (the best fitness of each
generation's candidates) against generation, mean over runs, one line per configuration,
whose legend says how many evaluations one of its generations holds.

Axis labels name the fitness metric and the units; each PNG also carries them as text
entries `x axis` and `y axis`, for readers that are programs. Every text is shown as written
(an experiment named `cost $x$` is not read as mathematics), and a plot with nothing to draw
(every evaluation failed or was invalid) says so instead of a line.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from nasdsl.evaluation.fidelity import below_top

from nasdsl.wording import count

BEST_SO_FAR_PNG = "best_so_far.png"
GENERATIONS_PNG = "generations.png"
MAX_LINES = 10
"""More lines than this make an unreadable plot: a larger grid plots its best configurations."""
NOTHING = "nothing to plot: no evaluation of these configurations succeeded"
BANDS = 3
"""More bands than this overlap into one grey area: only the means are drawn."""
ZOOM_FROM = 0.1
"""The y axis covers the means from this share of the longest run on (and all above)."""


def plotted_configs(order: list[str], summary: pd.DataFrame) -> tuple[list[str], str]:
    """The configurations to draw (all, or the MAX_LINES best by `mean_of_highest`) and a
    caption saying which were left out."""
    if len(order) <= MAX_LINES:
        return order, ""
    ranked = summary.sort_values("mean_of_highest", ascending=False, kind="stable")
    best = set(ranked["config"].head(MAX_LINES))
    caption = f"best {MAX_LINES} of {len(order)} configurations by mean_of_highest"
    return [c for c in order if c in best], caption


def fitness_name(configs: pd.DataFrame) -> str:
    """The fitness metric the configurations share (`fitness` when they differ or none is
    named)."""
    names = {str((dict(e or {}).get("settings") or {}).get("fitness") or "fitness")
             for e in configs["evaluator"]} if len(configs) else set()
    return names.pop() if len(names) == 1 else "fitness"


def generation_sizes(evaluations: pd.DataFrame) -> dict[str, int]:
    """Evaluations per generation of each configuration (its most common full size)."""
    if evaluations.empty:
        return {}
    per = evaluations.groupby(["config", "run", "generation"], sort=False).size()
    return {str(c): int(sizes.mode().max()) for c, sizes in per.groupby(level="config")}


def _unit(metric: str) -> str:
    return "fraction, 0 to 1" if metric.endswith("accuracy") else "as the evaluator returns it"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def best_so_far_curves(evaluations: pd.DataFrame, config: str) -> np.ndarray:
    """runs × evaluations array of best fitness so far; NaN before the first valid
    result and past the end of a shorter run."""
    mine = evaluations[evaluations["config"] == config]
    if mine.empty:
        return np.empty((0, 0))
    codes, runs = pd.factorize(mine["run"], sort=True)
    index = mine["index"].to_numpy(dtype=np.int64)
    fitness = np.array(mine["fitness"].to_numpy(dtype=float, na_value=np.nan))
    fitness[mine["status"].to_numpy() != "ok"] = np.nan
    fitness[below_top(mine)] = np.nan  # a screening at fewer epochs is no best
    curves = np.full((len(runs), int(index.max()) + 1), np.nan)
    curves[codes, index] = fitness
    curves = np.fmax.accumulate(curves, axis=1)  # fmax skips NaN
    ends = np.full(len(runs), -1)
    np.maximum.at(ends, codes, index)
    curves[np.arange(curves.shape[1])[None, :] > ends[:, None]] = np.nan
    return curves


def _mean_std(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over runs at each evaluation; columns with no value stay NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        return np.nanmean(curves, axis=0), np.nanstd(curves, axis=0)


def plot_best_so_far(evaluations: pd.DataFrame, configs: list[str], path: Path,
                     title: str = "", fitness: str = "fitness",
                     labels: dict[str, str] | None = None) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 5))
    drawn = []
    for config in configs:
        curves = best_so_far_curves(evaluations, config)
        if np.isfinite(curves).any():
            drawn.append((config, curves.shape[0], *_mean_std(curves)))
    runs = {n for _, n, _, _ in drawn}
    bands = len(drawn) <= BANDS
    for config, n, mean, std in drawn:
        x = np.arange(1, len(mean) + 1)
        label = (labels or {}).get(config, config)  # as every plot names it
        (line,) = ax.plot(x, mean, label=label, lw=1.4)
        if bands:
            ax.fill_between(x, mean - std, mean + std, color=line.get_color(), alpha=0.15, lw=0)
    if drawn:  # a log axis needs a line to scale to
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(_plain_ticks())
    else:
        nothing_drawn(ax)
    zoomed = _zoom(ax, [(mean, std if bands else None) for _, _, mean, std in drawn])
    over = f"{count(runs.pop(), 'run')}" if len(runs) == 1 else "runs"
    spread = " ± std" if bands and drawn else ""
    _finish(ax, "evaluations (count per run" + (", log scale)" if drawn else ")"),
            f"best {fitness} so far ({_unit(fitness)};\nmean{spread} over {over}"
            + ("; zoomed" if zoomed else "") + ")", title)
    _save(fig, ax, path)
    plt.close(fig)
    return path


def _plain_ticks():
    """1, 10, 100 rather than 10⁰, 10¹, 10²: evaluations are counts."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _: f"{value:,.0f}" if value >= 1
                         else f"{value:.6f}".rstrip("0").rstrip("."))


def _zoom(ax, lines: list[tuple[np.ndarray, np.ndarray | None]]) -> bool:
    """Limit the y axis to the means from ZOOM_FROM of the longest run on (and the bands
    above them); True when that cut the axis."""
    if not lines:
        return False
    longest = max(len(mean) for mean, _ in lines)
    start = max(int(ZOOM_FROM * longest) - 1, 0)
    lows, highs = [], []
    for mean, std in lines:
        tail = mean[min(start, len(mean) - 1):]
        top = mean + std if std is not None else mean
        if np.isfinite(tail).any():
            lows.append(np.nanmin(tail))
        if np.isfinite(top).any():
            highs.append(np.nanmax(top))
    if not lows or not highs:
        return False
    lo, hi = float(min(lows)), float(max(highs))
    everything = [np.nanmin(m) for m, _ in lines if np.isfinite(m).any()]
    pad = (hi - lo) * 0.08 if hi > lo else max(abs(hi) * 0.001, 1e-6)
    ax.set_ylim(lo - pad, hi + pad)
    return bool(everything) and min(everything) < lo - pad


def plot_generations(b: pd.DataFrame, configs: list[str], path: Path, title: str = "",
                     fitness: str = "fitness", sizes: dict[str, int] | None = None,
                     labels: dict[str, str] | None = None) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    drawn = 0
    for config in configs:
        mine = b[b["config"] == config]
        if mine.empty or not np.isfinite(mine["best"].to_numpy(dtype=float)).any():
            continue
        drawn += 1
        mean = mine.groupby("generation")["best"].mean()
        size = (sizes or {}).get(config)
        name = (labels or {}).get(config, config)
        label = name if size is None else f"{name} ({size} per generation)"
        ax.plot(mean.index.to_numpy(), mean.to_numpy(), marker=".", label=label)
    if not drawn:
        nothing_drawn(ax)
    _finish(ax, "generation (0-based; its size in evaluations is in the legend)",
            f"best {fitness} in the generation ({_unit(fitness)}; mean over runs)", title)
    _save(fig, ax, path)
    plt.close(fig)
    return path


def _save(fig, ax, path: Path) -> None:
    fig.savefig(path, dpi=120, bbox_inches="tight",
                metadata={"x axis": ax.get_xlabel(), "y axis": ax.get_ylabel()})


def nothing_drawn(ax, text: str = NOTHING) -> None:
    """Say on the plot why it holds no line."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)


def _finish(ax, xlabel: str, ylabel: str, title: str) -> None:
    """Labels, title, grid and legend; then every text the plot holds is made literal:
    names come from users (experiments, searches, swept values), and matplotlib would read
    `$…$` in them as mathematics (and fail on what is not)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    legend = ax.get_legend()
    for text in [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts,
                 *(legend.get_texts() if legend else [])]:
        text.set_parse_math(False)
