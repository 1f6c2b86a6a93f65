"""Which configurations a plot draws."""
from __future__ import annotations

import pandas as pd

from nasdsl.report.plots import MAX_LINES, plotted_configs


def test_a_small_comparison_plots_every_configuration():
    summary = pd.DataFrame({"config": ["a", "b"], "mean_of_highest": [0.1, 0.2]})
    assert plotted_configs(["a", "b"], summary) == (["a", "b"], "")


def test_a_large_grid_plots_its_best_configurations_in_file_order():
    order = [f"c{i}" for i in range(MAX_LINES + 5)]
    scores = [float(i % 7) + i / 100 for i in range(len(order))]
    summary = pd.DataFrame({"config": order, "mean_of_highest": scores})
    shown, caption = plotted_configs(order, summary)
    best = set(summary.nlargest(MAX_LINES, "mean_of_highest")["config"])
    assert set(shown) == best and len(shown) == MAX_LINES
    assert shown == [c for c in order if c in best]
    assert caption == f"best {MAX_LINES} of {len(order)} configurations by mean_of_highest"
