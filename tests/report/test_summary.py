"""The study's statistics on a hand-made journal whose values are worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from nasdsl.journal import Journal
from nasdsl.report.summary import generation_best, run_best, summarize

from journal_fixtures import write_journal


@pytest.fixture
def tables(tmp_path):
    with Journal.open(write_journal(tmp_path / "journal.sqlite")) as journal:
        return journal.configs(), journal.evaluations()


def test_b_is_the_best_valid_fitness_of_each_generation(tables):
    _, evaluations = tables
    b = generation_best(evaluations)
    re = b[b["config"] == "regularized_evolution[population=2]"]
    assert re[re["run"] == 0]["best"].tolist() == [0.3, 0.5, 0.5]
    assert re[re["run"] == 1]["best"].tolist() == [0.6, 0.2, 0.7]  # the invalid one ignored
    assert b[b["config"] == "random"]["best"].tolist() == [0.9]


def test_each_statistic_matches_the_hand_computed_value(tables):
    configs, evaluations = tables
    summary = summarize(configs, evaluations).set_index("config")
    re = summary.loc["regularized_evolution[population=2]"]
    assert re["search"] == "regularized_evolution"
    assert re["runs"] == 2 and re["evaluations"] == 12
    assert re["highest"] == pytest.approx(0.7)
    assert re["highest_mean"] == pytest.approx(0.5)           # run means 0.4333, 0.5
    assert re["mean"] == pytest.approx(2.8 / 6)
    assert re["mean_of_highest"] == pytest.approx(0.6)        # (0.5 + 0.7) / 2
    assert re["mean_first_hit"] == pytest.approx(1.5)         # generations 1 and 2
    assert re["best_test_accuracy"] == pytest.approx(0.55)    # (0.45 + 0.65) / 2
    assert re["population"] == 2
    rnd = summary.loc["random"]
    assert (rnd["runs"], rnd["highest"], rnd["mean"], rnd["mean_first_hit"]) == (1, 0.9, 0.9, 0)
    assert rnd["best_test_accuracy"] == pytest.approx(0.85)
    assert list(summary.index) == ["regularized_evolution[population=2]", "random"]


def test_best_of_a_run_is_the_earliest_among_equal_fitness(tables):
    _, evaluations = tables
    best = run_best(evaluations)
    first = best[(best["config"] == "regularized_evolution[population=2]") & (best["run"] == 0)]
    assert first["index"].item() == 3 and first["test_accuracy"].item() == 0.45


def test_regret_is_the_optimum_minus_the_mean_best_metric(tables):
    configs, evaluations = tables
    asked = []

    def optimum(evaluator, metric):
        asked.append((evaluator["kind"], metric))
        return 0.95

    summary = summarize(configs, evaluations, optimum=optimum).set_index("config")
    assert summary.loc["regularized_evolution[population=2]", "regret"] == pytest.approx(0.40)
    assert summary.loc["random", "regret"] == pytest.approx(0.10)
    assert asked[0] == ("python", "test_accuracy")


def test_without_an_optimum_regret_is_empty(tables):
    configs, evaluations = tables
    assert summarize(configs, evaluations)["regret"].isna().all()


def test_a_journal_without_evaluations_still_summarizes(tmp_path, tables):
    configs, evaluations = tables
    summary = summarize(configs, evaluations.iloc[0:0])
    assert list(summary["runs"]) == [0, 0] and pd.isna(summary["highest"]).all()


def test_the_reported_metric_is_an_accuracy():
    from nasdsl.report.summary import report_metric

    nb101 = {"settings": {"report": ["training_time", "validation_accuracy"]}}
    assert report_metric(nb101, ["fitness", "test_accuracy", "training_time"]) == "test_accuracy"
    assert report_metric(nb101, ["training_time", "validation_accuracy"]) == "validation_accuracy"
    assert report_metric(nb101, ["training_time", "trainable_parameters"]) is None
    assert report_metric({"settings": {}}, ["loss"]) is None
