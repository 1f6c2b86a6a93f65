"""The one `evaluate_batch`: evaluate candidates in order, charge the budget, stop at it.

Both ways a search runs use it: in memory (`Optimizer.optimize`, tests, benchmarks) and
journaled by the runner. What differs is plugged in: `replay` answers the recorded prefix of
a resumed run, `record` receives every fresh evaluation (the runner journals them before the
results go back to the optimizer), `report` hears about progress.

A batch asks its `evaluate` for all admitted candidates at once (an executor may spread them
over workers); with a time budget the results past the one that spends it are discarded, as
their cost was only known afterwards. `sequential` evaluates one at a time under a time
budget instead, so nothing is evaluated in vain (the in-memory path).

For expensive evaluations (training) the runner plugs in two more: `chunk` asks `evaluate`
for at most that many candidates at a time (one per worker), so each result is recorded as
it is known, not when a whole population is; `reuse` (the architecture's key) answers an
architecture the run already evaluated with that earlier result — it still counts as an
evaluation, marked `repeat_of` (the index that evaluated it), and costs what it cost then,
so a time budget still ends — instead of training it again.

Beside the batch call, every search may `submit` candidates one at a time and take
`next_completion`, whichever finishes first (a new child as soon as a worker is free). Indices
are submission order; completions are recorded, and a resumed run replays them, in the order
they arrived (`arrival`), so each submission again sees exactly the completions it saw. At
most `slots` evaluations run at once; the `Completions` plugged in decides where (this
process, in submission order, unless the runner plugs in its executor's).
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Hashable, Mapping, Protocol, Sequence

from nasdsl.evaluation.completions import Completions, Evaluate, InOrder, Timed
from nasdsl.evaluation.history import BudgetMeter, Evaluation, History
from nasdsl.result import Result, usable_fitness
from nasdsl.seeding import evaluation_seed

Record = Callable[..., None]
"""`(first index, generation, candidates, timed results)`: the fresh evaluations of one call;
a submitted one's completion comes with a fifth argument, its arrival (how many of the run's
evaluations completed before it)."""
Report = Callable[[float, int, "float | None"], None]
"""`(budget units spent, evaluations, best fitness)`."""
Key = Callable[[Hashable], str]
"""An architecture's identity: equal keys, the same architecture."""


class Replay(Protocol):
    """The recorded prefix of a resumed run: its completions in the order they arrived."""

    def __len__(self) -> int: ...

    def result(self, index: int, arch: Hashable) -> Result:
        """The recorded result of evaluation `index`, which must be `arch` and must have
        been the run's completion number `index` (a batch completes in index order)."""

    def completion(self, arrival: int, pending: Mapping[int, Hashable]) -> tuple[int, Result]:
        """The index and result of recorded completion number `arrival`, which must be one
        of the `pending` submissions (index -> candidate) and that candidate."""

    def __contains__(self, index: object) -> bool:
        """Whether evaluation `index` completed in the recorded prefix."""


class Batch:
    """The `EvaluateBatch` every search is given (see `nasdsl.optimizers.base`)."""

    def __init__(self, evaluate: Evaluate, meter: BudgetMeter, seed: int = 0, *,
                 record: Record | None = None, replay: Replay | None = None,
                 report: Report | None = None, report_every: float = 0.25,
                 sequential: bool = False, chunk: int | None = None, reuse: Key | None = None,
                 completions: Completions | None = None,
                 check: Callable[[Result], Result] | None = None):
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
        self._chunk = chunk
        self._reuse = reuse
        self._seen: dict[str, tuple[int, Result]] = {}
        """With `reuse`: each architecture's first evaluation in this run (index, result)."""
        self._completions = completions if completions is not None else InOrder(evaluate)
        self._check = check if check is not None else (lambda result: result)
        """Applied to each fresh result before the search sees it (never to a replayed one)."""
        self._submitted = 0
        """Indices handed out: by batches and by `submit`."""
        self._pending: dict[int, tuple[Hashable, int]] = {}
        """Submitted, not completed: index -> (candidate, generation)."""

    def __call__(self, candidates: Sequence[Hashable], generation: int) -> list[Result]:
        if self._pending:
            raise RuntimeError("evaluate_batch called while submitted evaluations are in "
                               "flight: take their completions first")
        meter = self._meter
        out: list[Result] = []
        pos, n = 0, len(candidates)
        while pos < n and len(self.history) < self._replayed and not meter.exhausted:
            assert self._replay is not None
            index = self._take_index()
            self._admit(index, generation, candidates[pos],
                        self._replay.result(index, candidates[pos]), out)
            pos += 1
        while pos < n and not meter.exhausted:
            rest = list(candidates[pos:]) if pos else list(candidates)
            left = meter.remaining_evaluations
            if left is not None and left < len(rest):
                rest = rest[:left]
            timed = meter.budget.unit == "seconds"
            if timed and self._sequential:
                rest = rest[:1]
            elif self._chunk is not None:
                rest = rest[:self._chunk]
            first = self._submitted
            seed = self._seed
            fresh = self._fresh(rest)
            outcomes = dict(zip(fresh, self._evaluate(
                [rest[i] for i in fresh], [evaluation_seed(seed, first + i) for i in fresh])
                if fresh else []))
            admitted: list[Timed] = []
            for i, arch in enumerate(rest):
                if timed and meter.exhausted:  # time budget crossed: later results discarded
                    break
                if i in outcomes:
                    result, wall = outcomes[i]
                    result = self._check(result.plain())
                else:  # evaluated earlier in this run: that result again, nothing evaluated
                    result, wall = self._repeat(arch), 0.0
                admitted.append((result, wall))
                self._admit(self._take_index(), generation, arch, result, out)
            if self._record is not None:
                self._record(first, generation, rest, admitted)
            pos += len(rest)
            if self._chunk is not None:  # the results of a chunk are news worth a line
                self._progress()
        self._progress()
        return out

    # --- one at a time: submit, then take the next completion ------------------------------
    @property
    def slots(self) -> int:
        """How many evaluations run at once (the workers); submit no more ahead than this
        to produce each candidate from the latest completions."""
        return self._completions.slots

    @property
    def in_flight(self) -> int:
        """Submitted evaluations whose completion has not been taken yet."""
        return len(self._pending)

    @property
    def accepting(self) -> bool:
        """Whether `submit` takes a candidate now: the budget is neither spent nor, counting
        what is in flight, fully committed (with a time budget, what is in flight still
        counts when it completes)."""
        meter = self._meter
        if meter.exhausted:
            return False
        return meter.budget.unit != "evaluations" or self._submitted < meter.budget.amount

    def submit(self, candidate: Hashable, generation: int) -> int | None:
        """Start evaluating `candidate`; returns its index (submission order), or None when
        the budget takes no more (`accepting`)."""
        if not self.accepting:
            return None
        index = self._take_index()
        self._pending[index] = (candidate, generation)
        if self._replay is not None and index in self._replay:
            return index  # its recorded completion comes back in its recorded turn
        known = None
        if self._reuse is not None and self._reuse(candidate) in self._seen:
            known = (self._repeat(candidate), 0.0)
        self._completions.submit(index, candidate, evaluation_seed(self._seed, index), known)
        return index

    def next_completion(self) -> Evaluation | None:
        """Wait for the next submitted evaluation to complete and return it (also appended
        to `history`, which holds completions in the order they arrived); None when nothing
        is in flight."""
        if not self._pending:
            return None
        arrival = len(self.history)
        if arrival < self._replayed:
            assert self._replay is not None
            index, result = self._replay.completion(arrival, {
                i: arch for i, (arch, _) in self._pending.items()})
            timed = None
        else:
            index, (result, wall) = self._completions.next()
            result = self._check(result.plain())
            timed = (result, wall)
        arch, generation = self._pending.pop(index)
        self._admit(index, generation, arch, result, [])
        if timed is not None and self._record is not None:
            self._record(index, generation, [arch], [timed], arrival)
        self._progress()
        return self.history.evaluations[-1]

    def cancel(self) -> None:
        """Abandon what is in flight (the search stopped with submissions outstanding)."""
        self._pending.clear()
        self._completions.cancel()

    def _take_index(self) -> int:
        index = self._submitted
        self._submitted += 1
        return index

    def _fresh(self, rest: Sequence[Hashable]) -> list[int]:
        """Positions in `rest` to evaluate: all, or with `reuse` the first of each
        architecture the run has not evaluated yet."""
        if self._reuse is None:
            return list(range(len(rest)))
        first: dict[str, int] = {}
        for i, arch in enumerate(rest):
            key = self._reuse(arch)
            if key not in self._seen:
                first.setdefault(key, i)
        return sorted(first.values())

    def _repeat(self, arch: Hashable) -> Result:
        assert self._reuse is not None
        index, earlier = self._seen[self._reuse(arch)]
        return replace(earlier, metrics={**earlier.metrics, "repeat_of": index})

    def _progress(self) -> None:
        if self._report is not None:
            now = time.monotonic()
            if now - self._last_report >= self._report_every:
                self._last_report = now
                self._report(self.done, len(self.history), self.best)

    @property
    def done(self) -> float:
        """Budget units spent: evaluations, or seconds for a time budget."""
        m = self._meter
        return m.evaluations if m.budget.unit == "evaluations" else m.seconds

    def _admit(self, index: int, generation: int, arch: Hashable, result: Result,
               out: list[Result]) -> None:
        if self._reuse is not None:
            self._seen.setdefault(self._reuse(arch), (index, result))
        self._meter.charge(result)
        self.history.evaluations.append(Evaluation(index, generation, arch, result))
        out.append(result)
        f = usable_fitness(result)
        if f is not None and (self.best is None or f > self.best):
            self.best = f
