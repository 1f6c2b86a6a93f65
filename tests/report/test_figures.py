"""The interactive plots' figures: what they draw, on which axes, and user text escaped."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from nasdsl.report import figures


def _evaluations(n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    fitness = rng.uniform(0.8, 0.94, n)
    return pd.DataFrame({"config": ["a"] * n, "run": [0] * n, "index": np.arange(n),
                         "generation": np.arange(n) // 10, "fitness": fitness,
                         "status": ["ok"] * n})


def test_best_so_far_is_a_running_max_on_a_log_axis_with_few_points():
    evaluations = _evaluations()
    figure = figures.best_so_far(evaluations, ["a"], {"a": "<b>a</b>"}, "test_accuracy")
    trace = figure["data"][0]
    assert figure["layout"]["xaxis"]["type"] == "log"
    assert figure["layout"]["xaxis"]["ticktext"] == ["1", "10", "100", "1,000", "10,000"]
    assert len(trace["x"]) <= figures.POINTS and trace["x"][-1] == 2000
    assert trace["y"][-1] == round(evaluations["fitness"].max(), 6)
    assert np.all(np.diff(trace["y"]) >= 0)
    assert trace["name"] == "&lt;b&gt;a&lt;/b&gt;"  # shown as written, not as markup


def test_regret_has_both_axes_logarithmic_and_nothing_without_a_known_best():
    evaluations = _evaluations()
    figure = figures.regret(evaluations, {"a": 0.95}, {}, "test_accuracy")
    assert figure["layout"]["xaxis"]["type"] == figure["layout"]["yaxis"]["type"] == "log"
    assert all(v is None or v > 0 for v in figure["data"][0]["y"])
    assert figure["layout"]["yaxis"]["ticktext"] == ["0.01", "0.1"]  # not 10⁻²
    assert figures.regret(evaluations, {"a": None}, {}, "test_accuracy") is None


def test_learning_curves_come_from_the_best_evaluations_curve():
    evaluations = _evaluations(3)
    evaluations["curve"] = [[[1, 0.5, 1.2], [2, 0.6, 1.0]], None,
                            [[1, 0.7, 0.9], [2, 0.8, 0.7], [3, 0.85, 0.6]]]
    evaluations["fitness"] = [0.6, 0.9, 0.85]  # the best (0.9) recorded no curve
    figure = figures.learning_curves(evaluations, ["a"], {"a": "a"})
    assert figure["data"][0]["x"] == [1, 2, 3] and figure["data"][0]["y"] == [0.7, 0.8, 0.85]
    assert figures.learning_curves(evaluations.drop(columns=["curve"]), ["a"], {}) is None


def test_a_figure_cannot_end_its_script_element():
    text = figures.figure_json({"data": [{"name": "</script><script>alert(1)</script>"}]})
    assert "</script>" not in text and json.loads(text)["data"][0]["name"].startswith("</")
