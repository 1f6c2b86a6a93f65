"""The study's evolution tables, on a made-up grid whose answer is known."""
from __future__ import annotations

import pandas as pd

from nasdsl.study.tables import evolution_grid, evolution_rates, study_tables


def _grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    configs, rows = [], []
    for redraw in (True, False):
        for p, s in ((100, 25), (20, 20)):
            for node in (0.05, 0.1):
                for conn in (0.01, 0.1, 0.2):
                    args = {"add_node": node, "add_connection": conn}
                    if not redraw:
                        args["redraw"] = False
                    name = f"{'grow' if redraw else 'study'}[{p},{s},{node},{conn}]"
                    configs.append({"config": name, "algorithm": "regularized_evolution",
                                    "space": {"kind": "cell", "settings": {}},
                                    "settings": {"population": p, "sample": s, "mutation":
                                                 {"call": "grow", "args": args}}})
                    # The study's loop suffers at the lowest connection rate; grow does not.
                    score = 0.93 + (0.001 * (0.2 - conn) if redraw else (0.0 if conn == 0.01 else 0.004))
                    rows.append({"search": "re", "config": name, "runs": 10,
                                 "evaluations": 15000, "repeats": 1000 if redraw else 100,
                                 "highest": score + 0.002, "highest_mean": score,
                                 "mean": score, "mean_of_highest": score,
                                 "mean_first_hit": 3.0})
    return pd.DataFrame(configs), pd.DataFrame(rows)


def test_the_rates_table_says_whether_each_loop_agrees_with_the_studys_finding():
    configs, summary = _grid()
    table = study_tables(configs, summary)
    names = [t[0] for t in table]
    assert names == ["study_comparison.csv", "study_evolution_grid.csv",
                     "study_evolution_rates.csv"]
    from nasdsl.study.tables import _rows

    rates, notes = evolution_rates(_rows(configs, summary))
    assert len(rates) == 6  # (add_node, add_connection) pairs
    grow_note, study_note = sorted(notes)
    assert grow_note.startswith("grow:") and "does not agree" in grow_note
    assert "0.01 does not give the lowest mean of highest" in grow_note
    assert "0.01 gives the lowest mean of highest" in study_note
    assert study_note.startswith("study's grow") and " agrees" in study_note
    low = rates[rates["add_connection"] == 0.01]
    assert (low["mean_of_highest (study's grow (redraw = false))"] == 93.0).all()
    assert (low["repeated share (grow)"] == 1000 / 15000).all()
    grid = evolution_grid(_rows(configs, summary))
    assert sorted(zip(grid["P"], grid["S"])) == [(20, 20), (100, 25)]


def test_the_dqn_table_gives_nasdsls_one_against_two_network_verdict_beside_the_studys():
    configs = pd.DataFrame([
        {"config": f"lstm[target_network={t}]", "algorithm": "dqn",
         "space": {"kind": "cell", "settings": {"inputs": 2}},
         "settings": {"network": {"call": "lstm", "args": {"units": 64}},
                      "target_network": t == "true"}}
        for t in ("false", "true")])
    summary = pd.DataFrame([
        {"search": "lstm", "config": c, "runs": 6, "evaluations": 12000, "repeats": 0,
         "highest": h, "highest_mean": h, "mean": h, "mean_of_highest": h,
         "mean_first_hit": 10.0}
        for c, h in zip(configs["config"], (0.9431, 0.9442))])
    comparison = pd.DataFrame([{
        "search": "lstm", "one_network": "lstm[target_network=false]",
        "two_networks": "lstm[target_network=true]", "runs": 6, "p_best": 0.22,
        "p_mean_reward": 0.031, "differ": "yes"}])
    tables = {name: table for name, _, table, _ in
              study_tables(configs, summary, None, comparison)}
    dqn = tables["study_dqn.csv"]
    assert list(dqn["networks"]) == [1, 2]
    assert list(dqn["1- vs 2-network differ (nasdsl)"]) == ["yes (p = 0.031, 6 pairs)"] * 2
    assert list(dqn["1- vs 2-network differ (study)"]) == ["yes", "yes"]
    assert list(dqn["best found (study)"]) == [94.72, 94.72]
    assert list(dqn["best found (nasdsl)"]) == [94.31, 94.42]
    # Without a comparison (a single network), the column is empty rather than guessed.
    alone = {name: t for name, _, t, _ in study_tables(configs, summary)}["study_dqn.csv"]
    assert alone["1- vs 2-network differ (nasdsl)"].isna().all()
