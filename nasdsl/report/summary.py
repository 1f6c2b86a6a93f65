"""The study's comparison statistics, from b[r, g]: the best fitness among the candidates of
generation g in run r (the journal's generation column: `index // population` for evolution,
`index // 30` for random search, the algorithm's own generations elsewhere).

Per search configuration:

- `highest`          max of b over runs and generations
- `highest_mean`     max over runs of the run's mean of b over generations
- `mean`             mean of b over runs and generations
- `mean_of_highest`  mean over runs of the run's max of b
- `mean_first_hit`   mean over runs of the first generation (0-based) where b reaches the
                     run's max (generations, as the study: their size differs by algorithm)
- `mean_first_hit_evaluations`
                     mean over runs of the evaluations spent until the first one reaching the
                     run's max (that one included): comparable across populations
- `best_<metric>`    mean over runs of the report metric of the run's best-by-fitness
                     evaluation (the earliest among equals)
- `space_best_<metric>`
                     the best value of that metric in the configuration's declared space
                     (NAS-Bench-101: exact, the table holds every cell)
- `regret`           `space_best_<metric>` minus `best_<metric>`
- `found_best`       share of runs whose best-by-fitness evaluation reaches
                     `space_best_<metric>` (the declared space's best cell was found);
                     missing when that best is unknown

`repeats` counts the evaluations of an architecture its run had already evaluated (by hash,
by text form where there is none): evaluations a search spent learning nothing new.

`runs` counts every run with evaluations; `unfinished` says how many of them had not finished
(interrupted, or still running): their statistics cover what they evaluated so far.

Only evaluations with status "ok" and a fitness count; a generation with none has no b.
A multi-fidelity search's evaluations below its highest fidelity (`epochs`) count as
evaluations, never as a best: they only screened candidates.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import pandas as pd

from nasdsl.evaluation.fidelity import EPOCHS, below_top

STATISTICS = ("highest", "highest_mean", "mean", "mean_of_highest", "mean_first_hit",
              "mean_first_hit_evaluations")
Optimum = Callable[[dict, str, dict], "float | None"]
"""`(evaluator record, metric, space record) -> best value in the space, or None`."""
_SAME = 1e-9
"""Below this a run's best and the space's best are the same value (a mean over repeats may
be summed in another order than the store's)."""


def valid(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Evaluations that have a fitness, at their configuration's highest fidelity (a
    multi-fidelity search's shorter trainings only screened candidates)."""
    keep = (evaluations["status"] == "ok") & evaluations["fitness"].notna()
    if EPOCHS in evaluations.columns:
        keep &= ~below_top(evaluations)
    return evaluations[keep]


def generation_best(evaluations: pd.DataFrame) -> pd.DataFrame:
    """b as a long table: config, run, generation, best."""
    ok = valid(evaluations)
    b = ok.groupby(["config", "run", "generation"], sort=True)["fitness"].max()
    return b.rename("best").reset_index()


def run_best(evaluations: pd.DataFrame) -> pd.DataFrame:
    """The best-by-fitness evaluation of each run (earliest among equals), one row per run."""
    ok = valid(evaluations)
    if ok.empty:
        return ok
    config = pd.factorize(ok["config"], sort=True)[0]  # codes in the configurations' order
    run = ok["run"].to_numpy()
    order = np.lexsort((ok["index"].to_numpy(), -ok["fitness"].to_numpy(dtype=float), run,
                        config))  # by config, run, fitness descending, index
    first = np.ones(len(order), dtype=bool)  # the first row of each (config, run)
    first[1:] = (np.diff(config[order]) != 0) | (np.diff(run[order]) != 0)
    return ok.iloc[order[first]]


def first_hit_evaluations(ok: pd.DataFrame) -> float:
    """Mean over runs of `index + 1` of the first valid evaluation reaching the run's max
    (`ok`: the valid evaluations of one configuration)."""
    if ok.empty:
        return float("nan")
    top = ok.groupby("run")["fitness"].transform("max")
    return float((ok[ok["fitness"] == top].groupby("run")["index"].min() + 1).mean())


def statistics(b: pd.DataFrame, ok: pd.DataFrame | None = None) -> dict[str, float]:
    """The statistics of one configuration: from its b (long table of one config) and its
    valid evaluations `ok` (for the count of evaluations to the first hit)."""
    hits = first_hit_evaluations(ok) if ok is not None else float("nan")
    if b.empty:
        return {name: float("nan") for name in STATISTICS}
    per_run = b.groupby("run")["best"]
    run_max = per_run.max()
    first_hit = [
        float(group.loc[group["best"] == run_max[run], "generation"].min())
        for run, group in b.groupby("run")
    ]
    return {
        "highest": float(b["best"].max()),
        "highest_mean": float(per_run.mean().max()),
        "mean": float(b["best"].mean()),
        "mean_of_highest": float(run_max.mean()),
        "mean_first_hit": float(np.mean(first_hit)),
        "mean_first_hit_evaluations": hits,
    }


def report_metric(evaluator: dict, columns: Iterable[str]) -> str | None:
    """The accuracy reported beside fitness: `test_accuracy` when recorded, else the first
    accuracy the evaluator's `report` list names. Other metrics (times, parameter counts)
    have no meaningful regret, so they get none."""
    columns = set(columns)
    if "test_accuracy" in columns:
        return "test_accuracy"
    listed = (evaluator.get("settings") or {}).get("report") or []
    accuracies = [m for m in listed if m in columns and str(m).endswith("accuracy")]
    return accuracies[0] if accuracies else None


def repeated(evaluations: pd.DataFrame) -> pd.Series:
    """Per evaluation: True when its run had already evaluated the same architecture (at
    the same fidelity)."""
    names = [c for c in ("hash", "architecture") if c in evaluations]
    if evaluations.empty or not names:  # nothing names the architectures: none repeat
        return pd.Series(False, dtype=bool, index=evaluations.index)
    key = evaluations[names[0]]
    if len(names) == 2:
        key = key.where(key.notna(), evaluations[names[1]])
    frame = pd.DataFrame({"config": evaluations["config"], "run": evaluations["run"],
                          "key": key})
    if EPOCHS in evaluations.columns:  # a promotion to more epochs is no repeat
        frame[EPOCHS] = evaluations[EPOCHS]
    return frame.duplicated(keep="first")


def summarize(configs: pd.DataFrame, evaluations: pd.DataFrame,
              optimum: Optimum | None = None, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per search configuration, in the journal's order.

    `optimum(evaluator, metric, space)` gives the best value of `metric` in the declared
    space (exact for NAS-Bench-101) or None; without it there is no regret. `runs` (the
    journal's runs table) says which runs finished; without it none count as unfinished.
    """
    empty_b = generation_best(evaluations.iloc[:0])
    b_by = dict(tuple(generation_best(evaluations).groupby("config", sort=False)))
    ok = valid(evaluations)
    ok_by = dict(tuple(ok.groupby("config", sort=False)))
    best_all = run_best(evaluations)
    best_by = dict(tuple(best_all.groupby("config", sort=False))) if len(best_all) else {}
    counts = evaluations.groupby("config", sort=False)["run"].agg(["nunique", "size"])
    repeats = repeated(evaluations).groupby(evaluations["config"], sort=False).sum()
    unfinished = _unfinished(evaluations, runs)
    rows = []
    for cfg in configs.sort_values("position").itertuples(index=False):
        n, size = counts.loc[cfg.config] if cfg.config in counts.index else (0, 0)
        row = {"experiment": cfg.experiment} if hasattr(cfg, "experiment") else {}
        row.update({"search": cfg.search, "config": cfg.config, "runs": int(n),
               "unfinished": unfinished.get(cfg.config, 0), "evaluations": int(size),
               "repeats": int(repeats.get(cfg.config, 0))})
        row.update(statistics(b_by.get(cfg.config, empty_b), ok_by.get(cfg.config, ok.iloc[:0])))
        metric = report_metric(dict(cfg.evaluator or {}), evaluations.columns)
        if metric is not None:
            best = best_by.get(cfg.config, best_all.iloc[:0])
            value = float(pd.to_numeric(best[metric], errors="coerce").mean()) \
                if len(best) else float("nan")
            row[f"best_{metric}"] = value
            top = optimum(dict(cfg.evaluator or {}), metric, dict(cfg.space or {})) \
                if optimum else None
            row[f"space_best_{metric}"] = float(top) if top is not None else float("nan")
            row["regret"] = float(top - value) if top is not None else float("nan")
            if top is not None and len(best):
                found = pd.to_numeric(best[metric], errors="coerce") >= top - _SAME
                row["found_best"] = float(found.sum()) / int(n)
        row.update({k: _cell(v) for k, v in dict(cfg.swept or {}).items()})
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["search", "config", "runs", "unfinished", "evaluations",
                                     "repeats", *STATISTICS])
    return pd.DataFrame(rows)


def _unfinished(evaluations: pd.DataFrame, runs: pd.DataFrame | None) -> dict[str, int]:
    """Per configuration, how many runs with evaluations are not marked finished."""
    if runs is None or runs.empty or evaluations.empty:
        return {}
    open_runs = runs[runs["status"] != "finished"]
    seen = evaluations[["config", "run"]].drop_duplicates()
    hit = seen.merge(open_runs[["config", "repeat"]], left_on=["config", "run"],
                     right_on=["config", "repeat"])
    return {str(k): int(v) for k, v in hit.groupby("config").size().items()}


def _cell(value: object) -> object:
    """A swept value (as the journal's JSON holds it) in its `.nas` spelling, for one cell."""
    from nasdsl.plan import Call, format_value

    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, dict) and "call" in value:
        value = Call(value["call"], value.get("args") or {})
    return format_value(value)
