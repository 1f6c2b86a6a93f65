"""The study's tables, from a (combined) report's summary: nasdsl's figure beside the study's.

- `study_comparison.csv`: the final comparison, the highest accuracy each algorithm found;
- `study_metaheuristics.csv`: GACO, PSO, ABC and random search on the study's statistics;
- `study_evolution_grid.csv`: regularized evolution by (P, S), and
  `study_evolution_rates.csv` by mutation rates, nasdsl's `grow` beside the study's loop
  (`redraw = false`), with whether the lowest `add_connection` rate gives the worst results;
- `study_dqn.csv`: the DQN set-ups, best found, converges at best, 1- vs 2-network.

Each table is written only when the report holds configurations it covers. Accuracies are in
%. The shared table's metric is the test accuracy of NAS-Bench-101's first training run; the
study read the official benchmark through NORD, so no figure compares exactly.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from nasdsl.study import published

NOTE = ("nasdsl: the shared table's test accuracy of NAS-Bench-101's first training run; "
        "study: the official benchmark through NORD; – : not transcribed.")
PYGMO_NAMES = {"pygmo.gaco": "GACO", "pygmo.pso": "PSO", "pygmo.bee_colony": "ABC",
               "random": "Random search"}
STATS = ("highest", "highest_mean", "mean", "mean_of_highest", "mean_first_hit")


def _rows(configs: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with each configuration's algorithm, space and mutation beside it."""
    info = configs[["config", "algorithm", "space", "settings"]]
    table = summary.merge(info, on="config", how="left")
    table["study_name"] = [_name(r) for r in table.itertuples(index=False)]
    return table


def _mutation(settings: dict) -> dict:
    m = (settings or {}).get("mutation") or {}
    return m if isinstance(m, dict) else {}


def _name(row) -> str | None:
    algorithm = row.algorithm
    if algorithm in PYGMO_NAMES:
        return PYGMO_NAMES[algorithm]
    if algorithm == "dqn":
        space = dict((row.space or {}).get("settings") or {})
        return "DQN (inputs = 2)" if space.get("inputs") else "DQN (chain space)"
    if algorithm == "regularized_evolution":
        m = _mutation(row.settings)
        if m.get("call") == "flip":
            return "Regularized evolution, flip"
        if (m.get("args") or {}).get("redraw") is False:
            return "Regularized evolution, study's grow"
        return "Regularized evolution"
    return None


def _pct(value) -> float:
    return float(value) * 100 if value == value and value is not None else float("nan")


def comparison(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name, group in table.dropna(subset=["study_name"]).groupby("study_name", sort=False):
        best = group.loc[group["highest"].idxmax()] if group["highest"].notna().any() \
            else group.iloc[0]
        rows.append({"algorithm": name, "highest (nasdsl)": _pct(best["highest"]),
                     "highest (study)": published.HIGHEST.get(name),
                     "configuration": best["config"], "evaluations per run":
                     best["evaluations"] / max(best["runs"], 1)})
    return pd.DataFrame(rows)


def metaheuristics(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in table[table["study_name"].isin(list(published.METAHEURISTICS))].itertuples():
        study = published.METAHEURISTICS[r.study_name]
        row = {"algorithm": r.study_name}
        for k, stat in enumerate(STATS):
            value = getattr(r, stat)
            row[f"{stat} (nasdsl)"] = value if stat == "mean_first_hit" else _pct(value)
            row[f"{stat} (study)"] = study[k]
        rows.append(row)
    return pd.DataFrame(rows)


def _evolution(table: pd.DataFrame) -> pd.DataFrame:
    evo = table[table["study_name"].isin(["Regularized evolution",
                                          "Regularized evolution, study's grow"])].copy()
    if evo.empty:
        return evo
    args = [(_mutation(s).get("args") or {}) for s in evo["settings"]]
    evo["P"] = [(s or {}).get("population") for s in evo["settings"]]
    evo["S"] = [(s or {}).get("sample") for s in evo["settings"]]
    evo["add_node"] = [a.get("add_node") for a in args]
    evo["add_connection"] = [a.get("add_connection") for a in args]
    evo["mutation"] = ["study's grow (redraw = false)" if n.endswith("study's grow")
                       else "grow" for n in evo["study_name"]]
    return evo


def _by(evo: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = evo.groupby(keys + ["mutation"], sort=True).agg(
        mean_of_highest=("mean_of_highest", "mean"), highest=("highest", "max"),
        repeats=("repeats", "sum"), evaluations=("evaluations", "sum")).reset_index()
    out["mean_of_highest"] = out["mean_of_highest"] * 100
    out["highest"] = out["highest"] * 100
    out["repeated share"] = out["repeats"] / out["evaluations"]
    wide = out.pivot_table(index=keys, columns="mutation",
                           values=["mean_of_highest", "highest", "repeated share"])
    wide.columns = [f"{stat} ({mutation})" for stat, mutation in wide.columns]
    wide = wide.reset_index()
    wide["study"] = None
    return wide


def evolution_grid(table: pd.DataFrame) -> pd.DataFrame:
    evo = _evolution(table)
    return pd.DataFrame() if evo.empty or evo["P"].isna().all() else _by(evo, ["P", "S"])


def evolution_rates(table: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table by rates, and per mutation whether the lowest add_connection rate is the
    worst (the study's finding)."""
    evo = _evolution(table)
    if evo.empty or evo["add_connection"].isna().all():
        return pd.DataFrame(), []
    notes = []
    for mutation, group in evo.groupby("mutation"):
        by_rate = group.groupby("add_connection")["mean_of_highest"].mean()
        if len(by_rate) < 2:
            continue
        lowest = by_rate.index.min()
        agree = by_rate.idxmin() == lowest
        notes.append(f"{mutation}: add_connection {lowest:g} "
                     f"{'gives' if agree else 'does not give'} the lowest mean of highest "
                     f"({by_rate[lowest] * 100:.3f} against {by_rate.drop(lowest).min() * 100:.3f}"
                     f"–{by_rate.max() * 100:.3f}): "
                     f"{'agrees' if agree else 'does not agree'} with the study's finding, "
                     f"{published.FINDING}")
    return _by(evo, ["add_node", "add_connection"]), notes


def _differ(networks: pd.DataFrame | None) -> dict[str, str]:
    """Each configuration of a one- against two-network pair: the report's test verdict."""
    if networks is None or networks.empty:
        return {}
    out = {}
    for r in networks.itertuples():
        verdict = (f"{r.differ} (p = {min(r.p_best, r.p_mean_reward):.3f}, "
                   f"{int(r.runs)} pairs)")
        out[r.one_network] = out[r.two_networks] = verdict
    return out


def dqn(table: pd.DataFrame, policy: pd.DataFrame | None,
        networks: pd.DataFrame | None = None) -> pd.DataFrame:
    differ = _differ(networks)
    rows = []
    for r in table[table["algorithm"] == "dqn"].itertuples():
        settings = dict(r.settings or {})
        network = settings.get("network") or {}
        kind = network.get("call") if isinstance(network, dict) else str(network)
        setup = f"{kind}, inputs = 2" if r.study_name == "DQN (inputs = 2)" else str(kind)
        study = published.DQN.get(setup, (None, None, None))
        converged = None
        if policy is not None and not policy.empty and r.config in set(policy["config"]):
            p = policy[policy["config"] == r.config].iloc[0]
            converged = f"{int(p['converged'])} of {int(p['runs'])}"
        rows.append({"set-up": setup, "networks": 2 if settings.get("target_network", True)
                     else 1, "best found (nasdsl)": _pct(r.highest),
                     "best found (study)": study[0], "converges at best (nasdsl)": converged,
                     "converges at best (study)": study[1],
                     "1- vs 2-network differ (nasdsl)": differ.get(r.config),
                     "1- vs 2-network differ (study)": study[2]})
    return pd.DataFrame(rows)


def study_tables(configs: pd.DataFrame, summary: pd.DataFrame,
                 policy: pd.DataFrame | None = None, networks: pd.DataFrame | None = None,
                 ) -> list[tuple[str, str, pd.DataFrame, str]]:
    """(file name, heading, table, note) of every study table the report's configurations
    fill; none when no configuration is one of the study's algorithms."""
    table = _rows(configs, summary)
    if table["study_name"].isna().all():
        return []
    rates, findings = evolution_rates(table)
    out = [("study_comparison.csv", "The study's final comparison: highest accuracy (%)",
            comparison(table), NOTE),
           ("study_metaheuristics.csv", "The study's metaheuristics table (%)",
            metaheuristics(table), NOTE),
           ("study_evolution_grid.csv", "Regularized evolution by (P, S) (%, means over rates)",
            evolution_grid(table), NOTE + " The study's grid figures are not transcribed."),
           ("study_evolution_rates.csv",
            "Regularized evolution by mutation rates (%, means over (P, S))", rates,
            " ".join(findings) or NOTE),
           ("study_dqn.csv", "The study's DQN set-ups", dqn(table, policy, networks), NOTE)]
    return [t for t in out if not t[2].empty]


def write_study_tables(folder: Path, tables) -> list[Path]:
    paths = []
    for name, _, table, _ in tables:
        table.to_csv(folder / name, index=False)
        paths.append(folder / name)
    return paths
