"""The study's comparison statistics, from b[r, g]: the best fitness among the candidates of
generation g in run r (the journal's generation column: `index // population` for evolution,
`index // 30` for random search, the algorithm's own generations elsewhere).

Per search configuration:

- `highest`          max of b over runs and generations
- `highest_mean`     max over runs of the run's mean of b over generations
- `mean`             mean of b over runs and generations
- `mean_of_highest`  mean over runs of the run's max of b
- `mean_first_hit`   mean over runs of the first generation (0-based) where b reaches the
                     run's max
- `best_<metric>`    mean over runs of the report metric of the run's best-by-fitness
                     evaluation (the earliest among equals)
- `regret`           the table's optimum of that metric minus `best_<metric>`
- `found_best`       share of runs whose `best_<metric>` is the best value of the metric
                     over the declared space (NAS-Bench-101: known exactly, every cell is
                     in the table); missing when that best is unknown

Only evaluations with status "ok" and a fitness count; a generation with none has no b.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np
import pandas as pd

STATISTICS = ("highest", "highest_mean", "mean", "mean_of_highest", "mean_first_hit")
Optimum = Callable[[dict, str], "float | None"]
SpaceOptimum = Callable[[dict, dict, str], "float | None"]


def valid(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Evaluations that have a fitness."""
    return evaluations[(evaluations["status"] == "ok") & evaluations["fitness"].notna()]


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
    order = ok.sort_values(["config", "run", "fitness", "index"],
                           ascending=[True, True, False, True], kind="stable")
    return order.drop_duplicates(["config", "run"], keep="first")


def statistics(b: pd.DataFrame) -> dict[str, float]:
    """The five statistics of one configuration's b (long table of one config)."""
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


def summarize(configs: pd.DataFrame, evaluations: pd.DataFrame,
              optimum: Optimum | None = None,
              space_optimum: SpaceOptimum | None = None) -> pd.DataFrame:
    """One row per search configuration, in the journal's order.

    `optimum(evaluator, metric)` gives the best value of `metric` the evaluator can return
    (the table's optimum for NAS-Bench-101) or None; without it there is no regret.
    `space_optimum(evaluator, space, metric)` gives the best over the declared space; with
    it, `found_best` is the share of runs that found it.
    """
    empty_b = generation_best(evaluations.iloc[:0])
    b_by = dict(tuple(generation_best(evaluations).groupby("config", sort=False)))
    best_all = run_best(evaluations)
    best_by = dict(tuple(best_all.groupby("config", sort=False))) if len(best_all) else {}
    counts = evaluations.groupby("config", sort=False)["run"].agg(["nunique", "size"])
    rows = []
    for cfg in configs.sort_values("position").itertuples(index=False):
        runs, size = counts.loc[cfg.config] if cfg.config in counts.index else (0, 0)
        row = {"search": cfg.search, "config": cfg.config,
               "runs": int(runs), "evaluations": int(size)}
        row.update(statistics(b_by.get(cfg.config, empty_b)))
        metric = report_metric(dict(cfg.evaluator or {}), evaluations.columns)
        if metric is not None:
            best = best_by.get(cfg.config, best_all.iloc[:0])
            value = float(pd.to_numeric(best[metric], errors="coerce").mean()) \
                if len(best) else float("nan")
            row[f"best_{metric}"] = value
            top = optimum(dict(cfg.evaluator or {}), metric) if optimum else None
            row["regret"] = float(top - value) if top is not None else float("nan")
            space = getattr(cfg, "space", None)
            space = space if isinstance(space, dict) else {}
            best_of_space = space_optimum(dict(cfg.evaluator or {}), space, metric) \
                if space_optimum else None
            if best_of_space is not None and len(best):
                found = pd.to_numeric(best[metric], errors="coerce") >= best_of_space
                row["found_best"] = float(found.sum()) / int(runs)
        row.update({k: _cell(v) for k, v in dict(cfg.swept or {}).items()})
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=["search", "config", "runs", "evaluations", *STATISTICS])
    return pd.DataFrame(rows)


def _cell(value: object) -> object:
    """A swept value (as the journal's JSON holds it) in its `.nas` spelling, for one cell."""
    from nasdsl.plan import Call, format_value

    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    if isinstance(value, dict) and "call" in value:
        value = Call(value["call"], value.get("args") or {})
    return format_value(value)
