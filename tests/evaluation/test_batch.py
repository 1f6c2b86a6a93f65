"""The shared `Batch` with the runner's options for training: a run's repeated architectures
answered from its earlier results, candidates evaluated a chunk at a time, replay first."""
from __future__ import annotations

from nasdsl.evaluation.batch import Batch
from nasdsl.evaluation.history import BudgetMeter
from nasdsl.plan import Budget
from nasdsl.result import Result


class Counting:
    """An evaluator of strings that records every call it gets."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, items, seeds):
        self.calls.append(list(items))
        return [(Result(float(len(x)), {"seed": s}, cost_seconds=2.0), 0.5)
                for x, s in zip(items, seeds)]


def test_repeats_are_answered_from_the_run_and_still_count():
    evaluate, rows = Counting(), []
    meter = BudgetMeter(Budget(6, "evaluations"))
    batch = Batch(evaluate, meter, seed=1, reuse=str.upper,
                  record=lambda first, gen, archs, timed: rows.extend(timed))
    first = batch(["ab", "abc", "AB"], 0)  # "AB" is "ab" for the key: answered, not evaluated
    second = batch(["abc", "x"], 1)
    assert evaluate.calls == [["ab", "abc"], ["x"]]
    assert meter.evaluations == 5 and meter.seconds == 10.0  # a repeat costs what it cost
    assert first[2].fitness == first[0].fitness and first[2].metrics["repeat_of"] == 0
    assert second[0].metrics == {**first[1].metrics, "repeat_of": 1}
    assert [wall for _, wall in rows] == [0.5, 0.5, 0.0, 0.0, 0.5]


def test_without_reuse_every_candidate_is_evaluated():
    evaluate = Counting()
    batch = Batch(evaluate, BudgetMeter(Budget(4, "evaluations")))
    batch(["a", "a", "a"], 0)
    assert evaluate.calls == [["a", "a", "a"]]


def test_chunks_record_as_they_finish_and_stop_at_the_budget():
    evaluate, records = Counting(), []
    batch = Batch(evaluate, BudgetMeter(Budget(5, "evaluations")), chunk=2,
                  record=lambda first, gen, archs, timed: records.append((first, list(archs))))
    out = batch(["a", "bb", "ccc", "dddd", "e", "ff", "g"], 0)
    assert evaluate.calls == [["a", "bb"], ["ccc", "dddd"], ["e"]]
    assert records == [(0, ["a", "bb"]), (2, ["ccc", "dddd"]), (4, ["e"])]
    assert len(out) == 5


def test_seeds_follow_the_index_whether_or_not_a_candidate_was_evaluated():
    first = Batch(Counting(), BudgetMeter(Budget(3, "evaluations")), seed=7)(["a", "b", "c"], 0)
    again = Batch(Counting(), BudgetMeter(Budget(3, "evaluations")), seed=7,
                  reuse=str)(["a", "a", "c"], 0)
    assert again[2].metrics["seed"] == first[2].metrics["seed"]  # index 2's seed either way
    assert again[1].metrics == {**first[0].metrics, "repeat_of": 0}  # index 0's result


def test_replayed_results_are_known_to_reuse():
    class Recorded:
        def __len__(self):
            return 2

        def result(self, index, arch):
            return Result(10.0 + index)

    evaluate = Counting()
    batch = Batch(evaluate, BudgetMeter(Budget(4, "evaluations")), replay=Recorded(),
                  reuse=str)
    out = batch(["p", "q", "p", "r"], 0)
    assert evaluate.calls == [["r"]]
    assert out[2].fitness == 10.0 and out[2].metrics == {"repeat_of": 0}
