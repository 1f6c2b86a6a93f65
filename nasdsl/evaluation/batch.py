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

A multi-fidelity search says where it wants each candidate (`at`: an `At(epochs, parent)`,
see `nasdsl.evaluation.fidelity`): the evaluator then receives a `Trial`, continuing the
parent's training from its checkpoint when the evaluator continues trainings; the result is
stamped with its fidelity, and the state it ended with kept in `checkpoints` before the
result is recorded. `fidelities` tells the search what the evaluator serves.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Hashable, Mapping, Protocol, Sequence

from nasdsl.errors import JournalError
from nasdsl.evaluation.completions import Completions, Evaluate, InOrder, Timed
from nasdsl.evaluation.fidelity import (CONTINUED_FROM, EPOCHS, EPOCHS_TRAINED, At, Checkpoints,
                                        Fidelities, MemoryCheckpoints, Trial)
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
                 check: Callable[[Result], Result] | None = None,
                 fidelities: Fidelities | None = None, checkpoints: Checkpoints | None = None):
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
        self.fidelities = fidelities
        """What the evaluator serves (None: it has no fidelities)."""
        self._checkpoints = checkpoints if checkpoints is not None else MemoryCheckpoints()
        self._at: dict[int, At] = {}
        """Where each multi-fidelity evaluation was asked for, by index."""
        self._start: dict[int, int] = {}
        """Epochs a continued evaluation started from, by index."""
        self._committed = 0
        """Epochs that submitted, not yet completed evaluations will train."""

    def __call__(self, candidates: Sequence[Hashable], generation: int,
                 at: Sequence[At] | None = None) -> list[Result]:
        if self._pending:
            raise RuntimeError("evaluate_batch called while submitted evaluations are in "
                               "flight: take their completions first")
        meter = self._meter
        out: list[Result] = []
        pos, n = 0, len(candidates)
        while pos < n and len(self.history) < self._replayed and not meter.exhausted:
            assert self._replay is not None
            index = self._take_index()
            if at is not None:
                self._at[index] = at[pos]
            self._admit(index, generation, candidates[pos],
                        self._replayed_result(index, candidates[pos]), out)
            pos += 1
        while pos < n and not meter.exhausted:
            rest = list(candidates[pos:]) if pos else list(candidates)
            left = meter.remaining_evaluations
            if left is not None and left < len(rest):
                rest = rest[:left]
            if at is not None and meter.budget.unit == "epochs":
                rest = rest[:self._fitting(at[pos:pos + len(rest)], self._submitted)]
            timed = meter.budget.unit == "seconds"
            if timed and self._sequential:
                rest = rest[:1]
            elif self._chunk is not None:
                rest = rest[:self._chunk]
            first = self._submitted
            seed = self._seed
            ats = None if at is None else at[pos:pos + len(rest)]
            if ats is not None:
                self._at.update((first + i, a) for i, a in enumerate(ats))
            fresh = self._fresh(rest)
            outcomes = dict(zip(fresh, self._evaluate(
                [self._item(first + i, rest[i]) for i in fresh],
                [evaluation_seed(seed, first + i) for i in fresh])
                if fresh else []))
            admitted: list[Timed] = []
            for i, arch in enumerate(rest):
                if timed and meter.exhausted:  # time budget crossed: later results discarded
                    break
                if i in outcomes:
                    result, wall = outcomes[i]
                    result = self._kept(first + i, self._check(result.plain()))
                else:  # evaluated earlier in this run: that result again, nothing evaluated
                    result, wall = self._repeat(arch, first + i), 0.0
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
        unit = meter.budget.unit
        if unit == "epochs":
            return meter.epochs + self._committed < meter.budget.amount
        return unit != "evaluations" or self._submitted < meter.budget.amount

    def submit(self, candidate: Hashable, generation: int, at: At | None = None) -> int | None:
        """Start evaluating `candidate` (at `at`, for a multi-fidelity search); returns its
        index (submission order), or None when the budget takes no more (`accepting`)."""
        if not self.accepting:
            return None
        index = self._take_index()
        self._pending[index] = (candidate, generation)
        if at is not None:
            self._at[index] = at
            self._committed += self._cost(index)
        if self._replay is not None and index in self._replay:
            return index  # its recorded completion comes back in its recorded turn
        known = None
        if self._reuse is not None and self._key(candidate, index) in self._seen:
            known = (self._repeat(candidate, index), 0.0)
        self._completions.submit(index, self._item(index, candidate),
                                 evaluation_seed(self._seed, index), known)
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
            self._same_fidelity(index, result)
            timed = None
        else:
            index, (result, wall) = self._completions.next()
            if result.metrics.get("repeat_of") is None:  # a repeat was stamped when known
                result = self._kept(index, self._check(result.plain()))
            timed = (result, wall)
        if index in self._at:
            self._committed -= self._cost(index)
        arch, generation = self._pending.pop(index)
        self._admit(index, generation, arch, result, [])
        if timed is not None and self._record is not None:
            self._record(index, generation, [arch], [timed], arrival)
        self._progress()
        return self.history.evaluations[-1]

    def cancel(self) -> None:
        """Abandon what is in flight (the search stopped with submissions outstanding)."""
        self._pending.clear()
        self._committed = 0
        self._completions.cancel()

    # --- several fidelities -----------------------------------------------------------------
    def _item(self, index: int, arch: Hashable) -> Hashable:
        """What the evaluator receives for evaluation `index`: the architecture, or a `Trial`
        at the fidelity asked for, with the parent's state when it continues one."""
        at = self._at.get(index)
        if at is None:
            return arch
        start, state = 0, None
        fid = self.fidelities
        if at.parent is not None and fid is not None and fid.continues:
            state = self._checkpoints.load(at.parent)
            if state is not None:
                start = self._epochs_of(at.parent)
        self._start[index] = start
        return Trial(arch, at.epochs, start, state)

    def _epochs_of(self, index: int) -> int:
        at = self._at.get(index)
        return 0 if at is None else at.epochs

    def _cost(self, index: int) -> int:
        """Epochs evaluation `index` trains: from its parent's epochs when it continues a
        training whose checkpoint is kept, else all of them."""
        at = self._at[index]
        fid = self.fidelities
        if at.parent is not None and fid is not None and fid.continues:
            start = self._start.get(index)
            if start is None:
                start = self._epochs_of(at.parent) if at.parent in self._at else 0
            return max(at.epochs - start, 0)
        return at.epochs

    def _fitting(self, ats: Sequence[At], first: int) -> int:
        """How many of the candidates asked for at `ats` start before the epochs budget is
        spent (the last one may cross it, as with a time budget)."""
        spent, n = self._meter.epochs, 0
        for i, a in enumerate(ats):
            if spent >= self._meter.budget.amount:
                break
            self._at[first + i] = a
            spent += self._cost(first + i)
            n += 1
        return n

    def _kept(self, index: int, result: Result) -> Result:
        """A fresh multi-fidelity result stamped with its fidelity, the state it ended with
        saved as a checkpoint (before the result is recorded) and dropped from it."""
        at = self._at.get(index)
        if at is None:
            return result if result.state is None else replace(result, state=None)
        if result.state is not None:
            self._checkpoints.save(index, result.state)
        start = self._start.get(index, 0)
        stamp = {EPOCHS: at.epochs, EPOCHS_TRAINED: at.epochs - start}
        if start:
            stamp[CONTINUED_FROM] = at.parent
        return replace(result, metrics={**result.metrics, **stamp}, state=None)

    def _replayed_result(self, index: int, arch: Hashable) -> Result:
        assert self._replay is not None
        result = self._replay.result(index, arch)
        self._same_fidelity(index, result)
        return result

    def _same_fidelity(self, index: int, result: Result) -> None:
        """A replayed evaluation must be at the fidelity the search asks for now."""
        at = self._at.get(index)
        if at is None:
            return
        recorded = result.metrics.get(EPOCHS)
        if recorded != at.epochs:
            raise JournalError(
                f"the search diverged from the journal at evaluation {index}: the journal "
                f"holds it at {recorded if recorded is not None else 'no fidelity'} epochs, "
                f"the search now asks for {at.epochs}; rerun with "
                "--fresh to discard the journal")
        start = result.metrics.get(EPOCHS_TRAINED)
        if start is not None:
            self._start[index] = at.epochs - int(start)

    def _key(self, arch: Hashable, index: int) -> str:
        """An evaluation's identity for `reuse`: the architecture, and its fidelity."""
        assert self._reuse is not None
        at = self._at.get(index)
        key = self._reuse(arch)
        return key if at is None else f"{key}@{at.epochs}"

    def _take_index(self) -> int:
        index = self._submitted
        self._submitted += 1
        return index

    def _fresh(self, rest: Sequence[Hashable]) -> list[int]:
        """Positions in `rest` to evaluate: all, or with `reuse` the first of each
        architecture (at each fidelity) the run has not evaluated yet."""
        if self._reuse is None:
            return list(range(len(rest)))
        first: dict[str, int] = {}
        base = self._submitted
        for i, arch in enumerate(rest):
            key = self._key(arch, base + i)
            if key not in self._seen:
                first.setdefault(key, i)
        return sorted(first.values())

    def _repeat(self, arch: Hashable, index: int) -> Result:
        """The result of an architecture evaluated earlier in the run, marked `repeat_of`;
        what it trained counts again (a budget still ends)."""
        earlier_index, earlier = self._seen[self._key(arch, index)]
        if index in self._at:
            self._start[index] = self._start.get(earlier_index, 0)
        return replace(earlier, metrics={**earlier.metrics, "repeat_of": earlier_index})

    def _progress(self) -> None:
        if self._report is not None:
            now = time.monotonic()
            if now - self._last_report >= self._report_every:
                self._last_report = now
                self._report(self.done, len(self.history), self.best)

    @property
    def done(self) -> float:
        """Budget units spent: evaluations, seconds for a time budget, or epochs."""
        return self._meter.spent

    def _admit(self, index: int, generation: int, arch: Hashable, result: Result,
               out: list[Result]) -> None:
        if self._reuse is not None:
            self._seen.setdefault(self._key(arch, index), (index, result))
        self._meter.charge(result)
        self.history.evaluations.append(Evaluation(index, generation, arch, result))
        out.append(result)
        f = usable_fitness(result)
        at, fid = self._at.get(index), self.fidelities
        if at is not None and fid is not None and at.epochs < fid.top:
            return  # the best is judged at the highest fidelity only
        if f is not None and (self.best is None or f > self.best):
            self.best = f
