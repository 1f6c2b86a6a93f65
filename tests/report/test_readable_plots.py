"""Readable plots (log evaluation axis, zoomed y, short legends) and the `repeats` column."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nasdsl.report import write_report
from nasdsl.report.labels import short_labels, short_value
from nasdsl.report.plots import BANDS, plot_best_so_far
from nasdsl.report.summary import repeated

from journal_fixtures import write_journal


def _grid_entries():
    return [(f"regularized_evolution[population={p},sample={s},mutation.add_node={n},"
             f"mutation.add_connection={c}]", "regularized_evolution",
             {"population": p, "sample": s, "mutation.add_node": n,
              "mutation.add_connection": c})
            for p, s in ((100, 25), (64, 16)) for n in (0.05, 0.1) for c in (0.15, 0.2)]


def test_legends_name_only_the_keys_that_differ():
    labels = short_labels(_grid_entries())
    first = labels["regularized_evolution[population=100,sample=25,mutation.add_node=0.05,"
                   "mutation.add_connection=0.15]"]
    assert first == "P100 S25 node .05 conn .15"
    same_rates = [(c, g, {**s, "mutation.add_node": 0.1}) for c, g, s in _grid_entries()[:2]]
    assert set(short_labels(same_rates).values()) == {"conn .15", "conn .2"}


def test_legends_name_the_search_when_several_compete():
    labels = short_labels([("random", "random", {}),
                           ("lstm[target_network=false]", "lstm", {"target_network": False}),
                           ("lstm[target_network=true]", "lstm", {"target_network": True})])
    assert labels == {"random": "random", "lstm[target_network=false]": "lstm target false",
                      "lstm[target_network=true]": "lstm target true"}
    assert short_value(0.05) == ".05" and short_value(1500) == "1500"
    assert short_value({"call": "lstm", "args": {"units": 64}}) == "lstm(units = 64)"


def test_repeats_count_architectures_their_run_had_already_evaluated():
    evaluations = pd.DataFrame({
        "config": ["a"] * 5 + ["b"] * 3, "run": [0, 0, 0, 1, 1, 0, 0, 0],
        "hash": ["x", "y", "x", "x", None, "x", "x", None],
        "architecture": ["X", "Y", "X", "X", "bad", "X", "X", "bad"]})
    # run a#1's "x" is its first; b repeats "x" once; the unhashed ones are keyed by text.
    assert repeated(evaluations).tolist() == [False, False, True, False, False,
                                              False, True, False]


def test_summary_has_repeats_for_every_configuration(tmp_path):
    names = ["a", "b", "a"]  # every run evaluates a, b, a, b, a, b, ...
    write_journal(tmp_path / "journal.sqlite", archs=names, hashes=names)
    write_report(tmp_path)
    summary = pd.read_csv(tmp_path / "summary.csv")
    # RE: 2 runs × 6 evaluations of 2 architectures; random: 1 run × 3 of 2.
    assert summary["repeats"].tolist() == [2 * (6 - 2), 3 - 2]


def _curves(tmp_path, n_configs):
    rows = []
    for c in range(n_configs):
        for run in range(3):
            fit = 0.90 + 0.04 * (1 - np.exp(-np.arange(1500) / 50)) + 0.002 * c
            for i, f in enumerate(fit):
                rows.append((f"cfg{c}", run, i, f))
    ev = pd.DataFrame(rows, columns=["config", "run", "index", "fitness"])
    ev["status"] = "ok"
    path = tmp_path / f"p{n_configs}.png"
    return ev, path


@pytest.mark.parametrize("n_configs", [2, BANDS + 2])
def test_best_so_far_has_a_log_axis_and_zooms_on_the_differences(tmp_path, n_configs,
                                                                  monkeypatch):
    import matplotlib.pyplot as plt

    ev, path = _curves(tmp_path, n_configs)
    axes = []
    monkeypatch.setattr(plt, "close", lambda fig: axes.append(fig.axes[0]))
    plot_best_so_far(ev, sorted(ev["config"].unique()), path,
                     labels={f"cfg{c}": f"label {c}" for c in range(n_configs)})
    ax = axes[0]
    assert ax.get_xscale() == "log"
    lo, hi = ax.get_ylim()
    # Zoomed: the first evaluations (0.90) lie below, the last (0.94 + 0.002 c) inside, and
    # the axis spans little more than the late differences.
    assert 0.90 < lo < 0.94 and hi > 0.94 + 0.002 * (n_configs - 1)
    assert hi - lo < 0.05
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"label {c}" for c in range(n_configs)]
    assert (len(ax.collections) > 0) == (n_configs <= BANDS)  # bands only for a few lines
    assert path.stat().st_size > 5000
