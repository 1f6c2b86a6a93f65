"""Where submitted evaluations complete: the executor's side of `submit` / `next_completion`.

A search that keeps workers busy (asynchronous regularized evolution) submits one candidate
at a time and takes the next completion, whichever it is. `Batch` numbers the submissions
and journals the completions; a `Completions` runs them: `InOrder` in this process, one at a
time, so they complete in submission order (`nasdsl.cluster` has the Dask one, where they
complete in the order workers finish them).
"""
from __future__ import annotations

from collections import deque
from typing import Callable, Hashable, Protocol, Sequence

from nasdsl.result import Result

Timed = tuple[Result, float]
"""A result and the wall seconds its evaluation took."""
Evaluate = Callable[[Sequence[Hashable], Sequence[int]], list[Timed]]
"""`(candidates, per-evaluation seeds) -> timed results`, in order."""


class Completions(Protocol):
    """Evaluations submitted one by one, handed back as they complete.

    At most `slots` evaluations run at once (what is submitted beyond waits its turn);
    `known` is a result there is no need to evaluate (a repeat answered from the run), which
    completes without taking a slot."""

    slots: int

    def submit(self, index: int, item: Hashable, seed: int, known: Timed | None = None
               ) -> None: ...

    def next(self) -> tuple[int, Timed]:
        """The next completion: the submission's index and its timed result. Called only
        while something submitted has not completed."""

    def cancel(self) -> None:
        """Drop everything submitted and not yet handed back (the search stopped)."""


class InOrder:
    """Completions in this process, in submission order: each evaluation runs when it is
    asked for, with the batch path's `evaluate`."""

    slots = 1

    def __init__(self, evaluate: Evaluate):
        self._evaluate = evaluate
        self._queue: deque[tuple[int, Hashable, int, Timed | None]] = deque()

    def submit(self, index: int, item: Hashable, seed: int, known: Timed | None = None) -> None:
        self._queue.append((index, item, seed, known))

    def next(self) -> tuple[int, Timed]:
        index, item, seed, known = self._queue.popleft()
        if known is None:
            known = self._evaluate([item], [seed])[0]
        return index, known

    def cancel(self) -> None:
        self._queue.clear()
