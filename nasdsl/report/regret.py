"""`regret.png`: how far each configuration's best so far stays from the declared space's
best, against evaluations on a log axis (mean over runs, a band from the 25th to the 75th
percentile), one line per configuration.

Regret is measured on the fitness: the best value of the fitness metric over the cells of
the declared space (`nasdsl.evaluators.optimum.space_optimum`) minus the best fitness so far.
Configurations whose space best is unknown (no table holds every architecture) are left out,
and say so on the plot.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from nasdsl.report.plots import (_finish, _plain_ticks, _pyplot, _save, best_so_far_curves,
                                 nothing_drawn)

REGRET_PNG = "regret.png"


def _quartiles(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 25th and 75th percentiles over runs (axis 0), NaN ignored: `np.percentile` on
    the columns without NaN (one vectorised call), `np.nanpercentile` (a Python call per
    column) only on the columns with one."""
    gaps = np.isnan(values).any(axis=0)
    low, high = np.full(values.shape[1], np.nan), np.full(values.shape[1], np.nan)
    if (~gaps).any():
        low[~gaps], high[~gaps] = np.percentile(values[:, ~gaps], [25, 75], axis=0)
    if gaps.any():
        low[gaps], high[gaps] = np.nanpercentile(values[:, gaps], [25, 75], axis=0)
    return low, high


def plot_regret(evaluations: pd.DataFrame, references: dict[str, float | None],
                path: Path, title: str = "", fitness: str = "fitness",
                labels: dict[str, str] | None = None) -> Path:
    """`references`: config -> the declared space's best fitness (None when unknown), in
    the order the lines are drawn; `labels` name them as the other plots do. Both axes are
    logarithmic: regret shrinks by orders of magnitude, and a linear axis squeezes
    everything below 0.01 into a few pixels (a zero regret, the best found, has no point)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    drawn = known = 0
    for config, best in references.items():
        curves = best_so_far_curves(evaluations, config) if best is not None else np.empty(0)
        if not np.isfinite(curves).any():
            known += best is not None
            continue
        regret = best - curves
        regret[regret <= 0] = np.nan  # the best found: nothing to draw on a log axis
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            mean = np.nanmean(regret, axis=0)
            low, high = _quartiles(regret)
        x = np.arange(1, regret.shape[1] + 1)
        (line,) = ax.plot(x, mean, label=(labels or {}).get(config, config))
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, lw=0)
        drawn += 1
    if drawn:  # a log axis needs a line to scale to
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(_plain_ticks())
        ax.yaxis.set_major_formatter(_plain_ticks())
    elif known:
        nothing_drawn(ax)
    else:
        nothing_drawn(ax, "no configuration has a known best of its space")
    _finish(ax, "evaluations per run" + (" (log scale)" if drawn else ""),
            f"regret of {fitness}" + (" (log scale)" if drawn else ""), title)
    _save(fig, ax, path)
    plt.close(fig)
    return path
