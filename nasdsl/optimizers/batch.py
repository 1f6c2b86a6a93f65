"""The one `evaluate_batch`: evaluate candidates in order, charge the budget, stop at it.

Both ways a search runs use it: in memory (`Optimizer.optimize`, tests, benchmarks) and
journaled by the runner. What differs is plugged in: `replay` answers the recorded prefix of
a resumed run, `record` receives every fresh evaluation (the runner journals them before the
results go back to the optimizer), `report` hears about progress.

A batch asks its `evaluate` for all admitted candidates at once (an executor may spread them
over workers); with a time budget the results past the one that spends it are discarded, as
their cost was only known afterwards. `sequential` evaluates one at a time under a time
budget instead, so nothing is evaluated in vain (the in-memory path).
"""
from __future__ import annotations

import time
from typing import Callable, Hashable, Protocol, Sequence

from nasdsl.optimizers.evaluations import BudgetMeter, Evaluation, History
from nasdsl.result import Result, usable_fitness
from nasdsl.seeding import evaluation_seed

Timed = tuple[Result, float]
"""A result and the wall seconds its evaluation took."""
Evaluate = Callable[[Sequence[Hashable], Sequence[int]], list[Timed]]
"""`(candidates, per-evaluation seeds) -> timed results`, in order."""
Record = Callable[[int, int, Sequence[Hashable], Sequence[Timed]], None]
"""`(first index, generation, candidates, timed results)`: the fresh evaluations of one call."""
Report = Callable[[float, int, "float | None"], None]
"""`(budget units spent, evaluations, best fitness)`."""


class Replay(Protocol):
    """The recorded prefix of a resumed run."""

    def __len__(self) -> int: ...

    def result(self, index: int, arch: Hashable) -> Result:
        """The recorded result of evaluation `index`, which must be `arch`."""


class Batch:
    """The `EvaluateBatch` every search is given (see `nasdsl.optimizers.base`)."""

    def __init__(self, evaluate: Evaluate, meter: BudgetMeter, seed: int = 0, *,
                 record: Record | None = None, replay: Replay | None = None,
                 report: Report | None = None, report_every: float = 0.25,
                 sequential: bool = False):
        self.history = History()
        self.best: float | None = None
        self._evaluate = evaluate
        self._meter = meter
        self._seed = seed
        self._record = record
        self._replay = replay
        self._replayed = len(replay) if replay is not None else 0
        self._report = report
        self._report_every = report_every
        self._last_report = time.monotonic()
        self._sequential = sequential

    def __call__(self, candidates: Sequence[Hashable], generation: int) -> list[Result]:
        meter = self._meter
        out: list[Result] = []
        pos, n = 0, len(candidates)
        while pos < n and len(self.history) < self._replayed and not meter.exhausted:
            assert self._replay is not None
            self._admit(generation, candidates[pos],
                        self._replay.result(len(self.history), candidates[pos]), out)
            pos += 1
        while pos < n and not meter.exhausted:
            rest = list(candidates[pos:]) if pos else list(candidates)
            left = meter.remaining_evaluations
            if left is not None and left < len(rest):
                rest = rest[:left]
            timed = meter.budget.unit == "seconds"
            if timed and self._sequential:
                rest = rest[:1]
            first = len(self.history)
            seed = self._seed
            outcomes = self._evaluate(rest, [evaluation_seed(seed, first + i)
                                             for i in range(len(rest))])
            admitted: list[Timed] = []
            for arch, (result, wall) in zip(rest, outcomes):
                if timed and meter.exhausted:  # time budget crossed: later results discarded
                    break
                result = result.plain()
                admitted.append((result, wall))
                self._admit(generation, arch, result, out)
            if self._record is not None:
                self._record(first, generation, rest, admitted)
            pos += len(rest)
        if self._report is not None:
            now = time.monotonic()
            if now - self._last_report >= self._report_every:
                self._last_report = now
                self._report(self.done, len(self.history), self.best)
        return out

    @property
    def done(self) -> float:
        """Budget units spent: evaluations, or seconds for a time budget."""
        m = self._meter
        return m.evaluations if m.budget.unit == "evaluations" else m.seconds

    def _admit(self, generation: int, arch: Hashable, result: Result, out: list[Result]) -> None:
        self._meter.charge(result)
        self.history.evaluations.append(Evaluation(len(self.history), generation, arch, result))
        out.append(result)
        f = usable_fitness(result)
        if f is not None and (self.best is None or f > self.best):
            self.best = f
