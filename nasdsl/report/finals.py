"""What `final { … }` retrained, from the journal: `final.csv`, two summary columns and the
`final` entries of `best.json`.

`final.csv` columns: `search`, `config`, `rank` (1 = the configuration's best in the search),
`architecture`, `hash`, `search_fitness`, `epochs`, `seed`, `status`, `error`,
`test_accuracy`, `test_loss`, `train_accuracy`, `train_loss`, `training_time` (seconds),
`parameters`, `flops`, `wall_seconds`, `model` (the saved `.keras` file).
Summary columns: `final_test_accuracy` (the rank-1 architecture's, the one the search picked)
and `final_best_test_accuracy` (the highest among the retrained; chosen on test data, so an
optimistic figure).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

FINAL_CSV = "final.csv"
_LEADING = ["search", "config", "rank", "architecture", "hash", "search_fitness", "epochs",
            "seed", "status", "error", "test_accuracy", "test_loss", "train_accuracy",
            "train_loss", "training_time", "parameters", "flops", "wall_seconds", "model"]
_DROPPED = ("fitness", "cost_seconds", "data")
"""`fitness` repeats test_accuracy, `cost_seconds` training_time; `data` (the identity of the
dataset, JSON) stays in the journal."""


def final_table(finals: pd.DataFrame) -> pd.DataFrame:
    """The finals table in `final.csv`'s column order (metrics the columns do not name
    follow)."""
    table = finals.drop(columns=[c for c in _DROPPED if c in finals.columns])
    leading = [c for c in _LEADING if c in table.columns]
    return table[leading + [c for c in table.columns if c not in leading]]


def write_final(folder: Path, finals: pd.DataFrame) -> Path | None:
    """`final.csv`, when anything was retrained."""
    if finals.empty:
        return None
    path = folder / FINAL_CSV
    final_table(finals).to_csv(path, index=False)
    return path


def with_final_columns(summary: pd.DataFrame, finals: pd.DataFrame) -> pd.DataFrame:
    if finals.empty or "test_accuracy" not in finals.columns or summary.empty:
        return summary
    ok = finals[finals["status"] == "ok"]
    first = ok[ok["rank"] == 1].drop_duplicates("config", keep="last")
    out = summary.copy()
    out["final_test_accuracy"] = out["config"].map(
        dict(zip(first["config"], first["test_accuracy"].astype(float))))
    out["final_best_test_accuracy"] = out["config"].map(
        ok.groupby("config")["test_accuracy"].max().astype(float).to_dict())
    return out


def final_entries(finals: pd.DataFrame) -> dict[str, list[dict]]:
    """Per configuration, its retrained architectures as best.json lists them."""
    out: dict[str, list[dict]] = {}
    if finals.empty:
        return out
    table = final_table(finals)
    for row in table.to_dict("records"):
        entry = {k: v for k, v in row.items() if k not in ("search", "config")}
        out.setdefault(str(row["config"]), []).append(entry)
    return out
