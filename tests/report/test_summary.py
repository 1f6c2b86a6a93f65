"""The study's statistics on a hand-made journal whose values are worked out by hand."""
from __future__ import annotations

import io

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

    def optimum(evaluator, metric, space):
        asked.append((evaluator["kind"], metric, space["kind"], space["settings"]["vertices"]))
        return 0.95

    summary = summarize(configs, evaluations, optimum=optimum).set_index("config")
    assert summary.loc["regularized_evolution[population=2]", "regret"] == pytest.approx(0.40)
    assert summary.loc["random", "regret"] == pytest.approx(0.10)
    assert (summary["space_best_test_accuracy"] == 0.95).all()
    assert asked[0] == ("python", "test_accuracy", "cell", 7)  # the declared space's best


def test_found_best_is_the_share_of_runs_whose_best_reaches_the_spaces_best(tables):
    """The runs' best test accuracies: evolution 0.45 and 0.65, random 0.85."""
    configs, evaluations = tables
    summary = summarize(configs, evaluations, optimum=lambda e, m, s: 0.65).set_index("config")
    assert summary.loc["regularized_evolution[population=2]", "found_best"] == 0.5
    assert summary.loc["random", "found_best"] == 1.0
    none = summarize(configs, evaluations, optimum=lambda e, m, s: 0.9)
    assert (none["found_best"] == 0.0).all()
    assert "found_best" not in summarize(configs, evaluations).columns  # best unknown


def test_first_hit_in_evaluations_counts_up_to_the_first_best(tables):
    """In generations RE hits at 1.5 and random at 0, generations of different sizes; in
    evaluations: RE run 0 reaches 0.5 at index 3, run 1 reaches 0.7 at index 4; random
    reaches 0.9 at index 1."""
    configs, evaluations = tables
    summary = summarize(configs, evaluations).set_index("config")
    re = summary.loc["regularized_evolution[population=2]"]
    assert re["mean_first_hit"] == pytest.approx(1.5)
    assert re["mean_first_hit_evaluations"] == pytest.approx((4 + 5) / 2)
    assert summary.loc["random", "mean_first_hit_evaluations"] == pytest.approx(2)


def test_same_evaluations_to_the_best_read_alike_whatever_the_population(tmp_path):
    """Two evolutions that find their best at the 270th evaluation: population 10 hits in
    generation 26, population 100 in generation 2; in evaluations both read 270."""
    rows = []
    for config, population in (("small", 10), ("large", 100)):
        for i in range(300):
            rows.append({"config": config, "run": 0, "index": i, "generation": i // population,
                         "fitness": 0.9 if i == 269 else 0.5, "status": "ok"})
    evaluations = pd.DataFrame(rows)
    configs = pd.DataFrame({"config": ["small", "large"], "search": ["re", "re"],
                            "position": [0, 1], "evaluator": [{}, {}], "space": [{}, {}],
                            "swept": [{}, {}]})
    summary = summarize(configs, evaluations).set_index("config")
    assert summary["mean_first_hit"].tolist() == [26, 2]
    assert summary["mean_first_hit_evaluations"].tolist() == [270, 270]


def test_unfinished_runs_are_counted_and_said(tmp_path):
    from nasdsl.report.tables import print_summary

    from journal_fixtures import RANDOM

    path = write_journal(tmp_path / "journal.sqlite")
    with Journal.open(path, readonly=False) as journal:  # a second random run, interrupted
        run = f"{RANDOM.key}#1"
        journal.start_run(run, RANDOM.key, 1, 1)
        journal.append([(run, 0, 0, "a", "ha", 0.95, "ok", None, 1.0, 0.1, "{}")])
    with Journal.open(path) as journal:
        summary = summarize(journal.configs(), journal.evaluations(), runs=journal.runs())
    assert summary.set_index("config")["unfinished"].to_dict() == {
        "regularized_evolution[population=2]": 0, "random": 1}
    out = io.StringIO()
    print_summary(summary, "handmade", out=out)
    assert "unfinished" in out.getvalue().splitlines()[1]  # a column of the table
    assert "1 of 4 runs are unfinished" in out.getvalue()
    finished = summary.assign(unfinished=0)
    out = io.StringIO()
    print_summary(finished, "handmade", out=out)
    assert "unfinished" not in out.getvalue()


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
