"""What a search is told: its evaluations in order, the budget they spend, and the shape of
the `evaluate_batch` that gives them (`nasdsl.evaluation.batch.Batch` is the one there is)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Protocol, Sequence

from nasdsl.plan import Budget
from nasdsl.result import Result, usable_fitness


@dataclass(frozen=True)
class Evaluation:
    """One evaluated candidate of a run: `index` is its place in the order the optimizer
    asked for them."""

    index: int
    generation: int
    arch: Hashable
    result: Result

    @property
    def fitness(self) -> float | None:
        return self.result.fitness


@dataclass
class History:
    """Every evaluation of one run, in the order they completed (the order they were asked
    for, unless they were submitted one by one to several workers)."""

    evaluations: list[Evaluation] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.evaluations)

    def __iter__(self):
        return iter(self.evaluations)

    def best(self) -> Evaluation | None:
        """The valid evaluation with the highest fitness (the earliest among equals; a NaN
        fitness never counts), at the highest fidelity of a multi-fidelity run."""
        best, top = None, None
        epochs = [e.result.metrics.get("epochs") for e in self.evaluations
                  if "epochs_trained" in e.result.metrics]
        highest = max(epochs) if epochs else None
        for e in self.evaluations:
            if highest is not None and e.result.metrics.get("epochs", highest) < highest:
                continue
            f = usable_fitness(e.result)
            if f is not None and (top is None or f > top):
                best, top = e, f
        return best


class BudgetMeter:
    """Tracks what a run has spent. An evaluation is admitted while the budget is not spent:
    with a time budget the evaluation that crosses the limit still counts (its cost is only
    known afterwards), and none starts after it; with an epochs budget too (its cost is known
    before: a multi-fidelity search's last candidate may cross it)."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.evaluations = 0
        self.seconds = 0.0
        self.epochs = 0
        """Epochs trained (multi-fidelity evaluations' `epochs_trained`)."""

    @property
    def spent(self) -> float:
        """What the run spent, in the budget's unit."""
        unit = self.budget.unit
        return self.evaluations if unit == "evaluations" else \
            self.epochs if unit == "epochs" else self.seconds

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget.amount

    @property
    def remaining_evaluations(self) -> int | None:
        """Evaluations left, or None for a time budget (unknown in advance)."""
        if self.budget.unit == "evaluations":
            return max(int(self.budget.amount) - self.evaluations, 0)
        return None

    def charge(self, result: Result) -> None:
        self.evaluations += 1
        self.seconds += result.cost_seconds
        trained = result.metrics.get("epochs_trained") if result.metrics else None
        if trained:
            self.epochs += int(trained)


class EvaluateBatch(Protocol):
    """Evaluates candidates in order; returns a result for each one the budget admitted
    (possibly fewer than asked, none once `budget.exhausted`). `generation` is recorded with
    each result; algorithms without generations use `index // population`.

    Or one at a time, to keep workers busy: `submit(candidate, generation)` starts an
    evaluation and returns its index (None when the budget takes no more: `accepting`);
    `next_completion()` waits for whichever submitted evaluation completes first (None when
    none is in flight). Submit at most `slots` ahead (`in_flight` counts them), so each
    candidate is made from the latest results. Every submitted evaluation completes and
    counts, even past a time budget. A call with submissions in flight is refused."""

    history: History

    def __call__(self, candidates: Sequence[Hashable], generation: int) -> list[Result]: ...

    @property
    def slots(self) -> int: ...

    @property
    def in_flight(self) -> int: ...

    @property
    def accepting(self) -> bool: ...

    def submit(self, candidate: Hashable, generation: int) -> int | None: ...

    def next_completion(self) -> Evaluation | None: ...
