"""What the user sees while an experiment runs.

A rich display (overall and per run: evaluations, best so far, ETA) on a terminal; plain log
lines elsewhere (one per finished run, and a periodic line); nothing with `--quiet`. The
runner calls these methods at most a few times a second per run, never per evaluation.
"""
from __future__ import annotations

import sys
import time
from typing import IO, Protocol

from nasdsl.wording import count, rate


def _best(best: float | None) -> str:
    return "-" if best is None else f"{best:.4f}"


class Progress(Protocol):
    def begin(self, experiment: str, runs: int, skipped: int, total: float | None) -> None:
        """`runs` to do (`skipped` already finished); `total` budget units over them, if known."""

    def run_started(self, run: str, total: float, unit: str) -> None: ...

    def update(self, run: str, done: float, evaluations: int, best: float | None) -> None:
        """`done` budget units spent so far in this run (evaluations or seconds)."""

    def run_finished(self, run: str, evaluations: int, best: float | None) -> None: ...

    def end(self) -> None: ...

    def abort(self) -> None:
        """The run stopped early (interrupted or failed): clear the display, say nothing."""


class NullProgress:
    """`--quiet`: nothing."""

    def begin(self, experiment, runs, skipped, total): pass

    def run_started(self, run, total, unit): pass

    def update(self, run, done, evaluations, best): pass

    def run_finished(self, run, evaluations, best): pass

    def end(self): pass

    def abort(self): pass


class LogProgress:
    """Plain lines for logs and pipes: one per finished run, one every `every` seconds."""

    def __init__(self, stream: IO[str] | None = None, every: float = 10.0):
        self._stream = stream or sys.stdout
        self._every = every
        self._last = time.monotonic()
        self._runs = 0
        self._finished = 0
        self._done: dict[str, float] = {}
        self._evaluations: dict[str, int] = {}
        self._start = time.monotonic()

    def _line(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def begin(self, experiment, runs, skipped, total):
        resumed = f", {skipped} already finished" if skipped else ""
        self._runs, self._finished, self._evaluations = runs, 0, {}
        self._start = time.monotonic()
        self._line(f"{experiment}: {count(runs, 'run')} to do{resumed}")

    def run_started(self, run, total, unit):
        self._done[run] = 0.0

    def update(self, run, done, evaluations, best):
        self._evaluations[run] = evaluations
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            total = sum(self._evaluations.values())
            speed = rate(total, now - self._start, "evaluation")
            self._line(f"  {self._finished}/{count(self._runs, 'run')} finished, "
                       f"{count(total, 'evaluation')} ({speed})")

    def run_finished(self, run, evaluations, best):
        self._finished += 1
        self._evaluations[run] = evaluations
        self._line(f"  [{self._finished}/{self._runs}] {run}: {count(evaluations, 'evaluation')}, "
                   f"best {_best(best)}")

    def end(self):
        elapsed = time.monotonic() - self._start
        self._line(f"done: {count(self._finished, 'run')}, "
                   f"{count(sum(self._evaluations.values()), 'evaluation')} "
                   f"in {elapsed:.1f} s")

    def abort(self):
        pass


class RichProgress:
    """Live bars on a terminal: one overall bar and one per active run."""

    def __init__(self) -> None:
        self._bars = self._new_bars()
        self._overall = None
        self._tasks: dict[str, int] = {}
        self._done: dict[str, float] = {}
        self._best: float | None = None
        self._by_runs = True

    @staticmethod
    def _new_bars():
        from rich.progress import BarColumn, Progress as Bars, TextColumn, TimeRemainingColumn

        return Bars(TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.percentage:>5.1f}%"),
                    TextColumn("best {task.fields[best]}"), TimeRemainingColumn(),
                    refresh_per_second=4, transient=False)

    def begin(self, experiment, runs, skipped, total):
        if self._overall is not None:  # a second phase (final retraining): fresh bars
            self._bars, self._best = self._new_bars(), None
        self._bars.start()
        resumed = f" ({skipped} resumed as finished)" if skipped else ""
        self._overall = self._bars.add_task(f"{experiment}{resumed}", total=total or runs,
                                            best="-")
        self._by_runs = total is None

    def run_started(self, run, total, unit):
        self._tasks[run] = self._bars.add_task(f"  {run}", total=total, best="-")
        self._done[run] = 0.0

    def update(self, run, done, evaluations, best):
        task = self._tasks.get(run)
        if task is None:
            return
        self._bars.update(task, completed=done, best=_best(best))
        if not self._by_runs:
            self._bars.advance(self._overall, done - self._done.get(run, 0.0))
        self._done[run] = done
        if best is not None and (self._best is None or best > self._best):
            self._best = best
            self._bars.update(self._overall, best=_best(best))

    def run_finished(self, run, evaluations, best):
        task = self._tasks.pop(run, None)
        if task is not None:
            self._bars.remove_task(task)
        if self._by_runs:
            self._bars.advance(self._overall, 1)
        else:  # what the last periodic update did not report yet
            self._bars.advance(self._overall, evaluations - self._done.get(run, 0.0))
        self._done.pop(run, None)
        if best is not None and (self._best is None or best > self._best):
            self._best = best
        self._bars.update(self._overall, best=_best(self._best))
        self._bars.console.print(f"{run}: {count(evaluations, 'evaluation')}, best {_best(best)}")

    def end(self):
        self._bars.stop()

    def abort(self):
        self._bars.stop()


def make_progress(quiet: bool = False, stream: IO[str] | None = None) -> Progress:
    """Nothing when quiet, live bars on a terminal, log lines otherwise."""
    if quiet:
        return NullProgress()
    stream = stream or sys.stdout
    if stream.isatty():
        return RichProgress()
    return LogProgress(stream)
