"""A multi-fidelity experiment's own report files: how many evaluations each fidelity had
(`fidelities.csv`), the learning curves training recorded (`curves.csv`, one row per
candidate and epoch), and a plot of validation accuracy against epochs for the candidates
of each rung (`learning_curves.png`). Nothing is written for an experiment without
fidelities."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from nasdsl.evaluation.fidelity import CURVE, EPOCHS

FIDELITIES_CSV = "fidelities.csv"
CURVES_CSV = "curves.csv"
LEARNING_CURVES_PNG = "learning_curves.png"
FILES = (FIDELITIES_CSV, CURVES_CSV, LEARNING_CURVES_PNG)


def fidelity_counts(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Per configuration and fidelity: evaluations, valid ones, and the best fitness."""
    if EPOCHS not in evaluations.columns:
        return pd.DataFrame(columns=["config", "epochs", "evaluations", "ok", "best"])
    rows = evaluations[evaluations[EPOCHS].notna()]
    ok = rows["status"] == "ok"
    table = rows.assign(ok=ok, best=rows["fitness"].where(ok)).groupby(
        ["config", EPOCHS], sort=True).agg(evaluations=("index", "size"), ok=("ok", "sum"),
                                           best=("best", "max")).reset_index()
    table[EPOCHS] = table[EPOCHS].astype(int)
    return table


def curves(evaluations: pd.DataFrame) -> pd.DataFrame:
    """The recorded learning curves, long: config, run, index, rung (its `epochs`), epoch,
    validation_accuracy, validation_loss."""
    columns = ["config", "run", "index", "epochs", "epoch", "validation_accuracy",
               "validation_loss"]
    if CURVE not in evaluations.columns:
        return pd.DataFrame(columns=columns)
    rows = []
    has = evaluations[CURVE].map(lambda c: isinstance(c, list) and len(c) > 0)
    for r in evaluations[has].itertuples(index=False):
        d = r._asdict()
        for point in d[CURVE]:
            if isinstance(point, list) and len(point) >= 3:
                rows.append((d["config"], d["run"], d["index"], d.get(EPOCHS), *point[:3]))
    return pd.DataFrame(rows, columns=columns)


def write_fidelity_files(folder: Path, evaluations: pd.DataFrame, title: str = "") -> list[Path]:
    """`fidelities.csv`, and where training recorded them `curves.csv` and
    `learning_curves.png`; none for an experiment without fidelities."""
    counts = fidelity_counts(evaluations)
    if counts.empty:
        return []
    counts.to_csv(folder / FIDELITIES_CSV, index=False)
    written = [folder / FIDELITIES_CSV]
    long = curves(evaluations)
    if not long.empty:
        long.to_csv(folder / CURVES_CSV, index=False)
        plot_curves(long, folder / LEARNING_CURVES_PNG, title)
        written += [folder / CURVES_CSV, folder / LEARNING_CURVES_PNG]
    return written


def plot_curves(long: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Validation accuracy against epochs, one line per evaluation, coloured by its rung; a
    promoted candidate's line continues its parent's."""
    from nasdsl.report.plots import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 5))
    rungs = sorted(long["epochs"].dropna().unique())
    colours = plt.get_cmap("viridis")(np.linspace(0.1, 0.9, max(len(rungs), 1)))
    for (config, run, index), points in long.groupby(["config", "run", "index"], sort=False):
        rung = points["epochs"].iloc[0]
        colour = colours[rungs.index(rung)] if rung in rungs else "grey"
        ax.plot(points["epoch"], points["validation_accuracy"], color=colour, alpha=0.5, lw=1)
    for rung, colour in zip(rungs, colours):
        ax.plot([], [], color=colour, label=f"rung of {int(rung)} epochs")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_title(title or "learning curves")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
