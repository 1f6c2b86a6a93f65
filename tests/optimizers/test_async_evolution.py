"""Asynchronous regularized evolution and the submit / next-completion contract behind it.

Completions here come in an order the test chooses (`Shuffled`, `Scripted`), as several
workers would hand them back: each child must come from the population as of the
completions before it was submitted, every submission completes once, and a run resumed from
a prefix of its completions makes the same submissions when the same completions follow."""
from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np
import pytest

from nasdsl.journal.records import Recorded
from nasdsl.optimizers import RegularizedEvolution
from nasdsl.evaluation.batch import Batch
from nasdsl.evaluation.history import BudgetMeter
from nasdsl.plan import Budget
from nasdsl.evaluation.replay import Replay
from nasdsl.errors import JournalError

from search_fixtures import CountingSpace, TableEvaluator

VALUES = np.random.default_rng(11).random(10_000)


class KeyedSpace(CountingSpace):
    """Ids with the identity a journal keeps (replay checks candidates by it)."""

    def key(self, arch: int) -> str:
        return hashlib.sha1(str(arch).encode()).hexdigest()[:12]

    def canonical(self, arch: int) -> str:
        return str(arch)


class Evaluate:
    """The batch path's evaluate over the table, counting what it evaluates."""

    def __init__(self) -> None:
        self.evaluated: list[int] = []
        self.table = TableEvaluator(VALUES)

    def __call__(self, items, seeds):
        self.evaluated += list(items)
        return [(self.table.evaluate(x), 0.0) for x in items]


class Shuffled:
    """`slots` workers that finish in a seeded random order."""

    def __init__(self, evaluate: Evaluate, slots: int, seed: int):
        self.slots = slots
        self.evaluate = evaluate
        self.rng = np.random.default_rng(seed)
        self.running: dict[int, tuple] = {}
        self.most = 0

    def submit(self, index, item, seed, known=None):
        self.running[index] = (item, seed, known)
        self.most = max(self.most, len(self.running))

    def next(self):
        index = sorted(self.running)[int(self.rng.integers(len(self.running)))]
        item, seed, known = self.running.pop(index)
        return index, known or self.evaluate([item], [seed])[0]

    def cancel(self):
        self.running.clear()


class Scripted(Shuffled):
    """Completions in a given order of indices."""

    def __init__(self, evaluate: Evaluate, slots: int, order: list[int]):
        super().__init__(evaluate, slots, 0)
        self.order = list(order)

    def next(self):
        index = self.order.pop(0)
        item, seed, known = self.running.pop(index)  # it must have been submitted
        return index, known or self.evaluate([item], [seed])[0]


def _search(completions_of, budget=80, population=10, sample=3, replay=None):
    space, evaluate = KeyedSpace(), Evaluate()
    meter = BudgetMeter(Budget(budget, "evaluations"))
    completions = completions_of(evaluate)
    rows: list[tuple] = []
    batch = Batch(evaluate, meter, seed=3, replay=replay, completions=completions,
                  record=lambda first, gen, archs, timed, arrival=None: rows.append(
                      (first, gen, archs[0], timed[0][0], arrival)))
    search = RegularizedEvolution(space, population, sample, "grow", asynchronous=True)
    history = search.search(batch, meter, np.random.default_rng(5))
    return history, space, evaluate, completions, rows


def test_with_one_worker_it_is_the_sequential_search():
    def run(asynchronous):
        history = RegularizedEvolution(CountingSpace(), 10, 3, "grow",
                                       asynchronous=asynchronous).optimize(
            TableEvaluator(VALUES), budget=70, seed=4)
        return [(e.index, e.generation, e.arch, e.fitness) for e in history]

    assert run(True) == run(False)
    assert run(True) == run(True)  # reproducible for a seed


def test_each_child_comes_from_the_population_as_of_its_submission():
    slots, population, sample = 3, 10, 4
    history, space, _, completions, _ = _search(lambda e: Shuffled(e, slots, 1),
                                                population=population, sample=sample)
    indices = [e.index for e in history]
    assert sorted(indices) == list(range(80))  # every submission completed, once
    assert indices != sorted(indices)  # and they did arrive out of order
    assert completions.most == slots  # never more in flight than workers
    arrived = [e.arch for e in history]
    children = 0
    for index in range(slots, 80):
        # submission `index` followed completion `index - slots`: the population was the
        # last P completions up to it, and a child is made once P have completed
        seen = arrived[:index - slots + 1]
        if len(seen) < population:
            continue
        window = seen[-population:]
        parent = space.parents[children]
        children += 1
        assert parent in window
        assert sum(VALUES[a] < VALUES[parent] for a in window) >= sample - 1
    assert children == len(space.parents) > 50
    assert [e.generation for e in sorted(history, key=lambda e: e.index)] == \
        [i // population for i in range(80)]


def test_a_resumed_run_replays_the_arrival_order_and_evaluates_only_the_rest():
    first, _, _, completions, rows = _search(lambda e: Shuffled(e, 4, 2))
    order = [e.index for e in first]
    for cut in (0, 13, 41, 79):
        recorded = [Recorded(e.index, KeyedSpace().key(e.arch), e.result)
                    for e in first.evaluations[:cut]]
        replay = Replay("run", recorded, KeyedSpace())
        again, _, evaluate, _, rows = _search(lambda e: Scripted(e, 4, order[cut:]),
                                              replay=replay)
        assert [(e.index, e.arch, e.fitness) for e in again] == \
            [(e.index, e.arch, e.fitness) for e in first]
        done = {e.index for e in first.evaluations[:cut]}
        assert sorted(evaluate.evaluated) == sorted(e.arch for e in first if e.index not in done)
        assert [r[0] for r in rows] == order[cut:]  # fresh completions only, as they arrived
        assert [r[4] for r in rows] == list(range(cut, 80))


def test_a_replay_that_does_not_match_the_submissions_is_refused():
    first, *_ = _search(lambda e: Shuffled(e, 3, 7))
    late = next(k for k, e in enumerate(first) if e.index >= 20)
    recorded = [Recorded(e.index, KeyedSpace().key(e.arch), e.result)
                for e in first.evaluations[:late + 1]]
    recorded[late] = Recorded(500, recorded[late].hash, recorded[late].result)
    with pytest.raises(JournalError, match="which the search has not submitted"):
        _search(lambda e: Shuffled(e, 3, 7), replay=Replay("run", recorded, KeyedSpace()))


def test_a_time_budget_stops_submitting_and_counts_what_was_in_flight():
    space, evaluate = KeyedSpace(), Evaluate()
    evaluate.table.cost = 1.0
    meter = BudgetMeter(Budget(25.0, "seconds"))
    batch = Batch(evaluate, meter, seed=0, completions=Shuffled(evaluate, 3, 0))
    history = RegularizedEvolution(space, 5, 2, asynchronous=True).search(
        batch, meter, np.random.default_rng(0))
    assert len(history) == 27  # the 25th completion spends it; the 2 in flight still count
    assert Counter(e.index for e in history) == Counter(range(27))
