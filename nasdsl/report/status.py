"""`nasdsl status PATH`: how far an experiment got, read from its journal alone.

Safe while a run writes: the journal is opened read-only (SQLite's write-ahead log lets a
reader see the last commit without stopping the writer), and the writer's lock is never
taken — who holds it is read from the lock file's text, which its holder wrote. A run takes
its lock before it creates the journal, so a journal not there yet, empty, or without its
tables while a live run holds the lock is one being created: "no evaluations yet".
"""
from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from nasdsl.errors import ForeignFile, JournalError
from nasdsl.journal.file import identify
from nasdsl.journal.lock import lock_path
from nasdsl.journal.reader import Reader
from nasdsl.journal.records import RunProgress
from nasdsl.wording import count, duration, rate as rate_words


@dataclass(frozen=True)
class Status:
    """Progress of the journal's latest plan."""

    journal: Path
    experiment: str
    runs: int
    """Runs of the latest plan."""
    finished: int
    running: int
    """Runs started and not finished (a stopped experiment leaves them so)."""
    evaluations: int
    planned: float | None
    """Evaluations of the whole plan, when every budget counts evaluations."""
    best: float | None
    best_run: str | None
    rate: float | None
    """Evaluations per second from the first run's start to the journal's last write."""
    writer: str | None
    """Who is writing the journal now (None: nobody)."""
    fidelities: tuple[tuple[int, int], ...] = ()
    """Evaluations at each fidelity (epochs), for multi-fidelity searches."""

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, while a run writes and the total is known."""
        if self.writer is None or self.planned is None or not self.rate:
            return None
        return max(self.planned - self.evaluations, 0.0) / self.rate


def _planned(journal: Reader) -> tuple[set[str], int, dict[str, float | None]]:
    """The latest plan's configurations, its repeat, and each configuration's evaluations per
    run (None for a time budget)."""
    meta = journal.meta()
    configs = journal.configs()
    budgets: dict[str, float | None] = {}
    for key, budget in zip(configs["config"], configs["budget"]):
        amount, _, unit = str(budget).partition(" ")
        budgets[key] = float(amount) if unit == "evaluations" else None
    plan = json.loads(meta.get("plan") or "{}")
    keys = set(plan.get("configs") or budgets)
    repeat = int(plan.get("repeat") or meta.get("repeat") or 1)
    return keys, repeat, budgets


def _writer(journal: Path) -> str | None:
    """The live holder of the journal's write lock, as its lock file names it."""
    try:
        text = lock_path(journal).read_text()
        holder = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return None
    if not isinstance(holder, dict) or "pid" not in holder:
        return None
    pid, host = holder.get("pid"), holder.get("host")
    if host and host != socket.gethostname():
        return f"pid {pid} on {host}"
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError, TypeError):  # released by a kill: the lock is free
        return None
    return f"pid {pid}" + (f", since {holder['since']}" if holder.get("since") else "")


def _last_write(journal: Path) -> float | None:
    times = []
    for path in (journal, journal.with_name(journal.name + "-wal")):
        try:
            times.append(path.stat().st_mtime)
        except OSError:
            pass
    return max(times) if times else None


def read_status(path: Path) -> Status:
    """The status of the journal at `path` (JournalError when it cannot be read)."""
    with Reader.open(path) as journal:
        experiment = journal.meta().get("experiment", "")
        keys, repeat, budgets = _planned(journal)
        progress: list[RunProgress] = [p for p in journal.run_progress()
                                       if p.config in keys and p.repeat < repeat]
    runs = len(keys) * repeat
    evaluations = sum(p.evaluations for p in progress)
    planned = None
    if keys and all(budgets.get(k) is not None for k in keys):
        planned = float(sum(budgets[k] or 0.0 for k in keys) * repeat)
    best, best_run = None, None
    for p in progress:
        if p.best is not None and (best is None or p.best > best):
            best, best_run = p.best, f"{p.config}#{p.repeat}"
    rate = None
    starts = [p.started for p in progress if p.started]
    last = _last_write(Path(path))
    if starts and last is not None and last > min(starts) and evaluations:
        rate = evaluations / (last - min(starts))
    return Status(Path(path), experiment, runs,
                  sum(p.status == "finished" for p in progress),
                  sum(p.status != "finished" for p in progress), evaluations, planned,
                  best, best_run, rate, _writer(Path(path)), _per_fidelity(progress))


def _per_fidelity(progress: list[RunProgress]) -> tuple[tuple[int, int], ...]:
    totals: dict[int, int] = {}
    for p in progress:
        for epochs, n in p.fidelities:
            totals[epochs] = totals.get(epochs, 0) + n
    return tuple(sorted(totals.items()))


def describe(status: Status) -> str:
    """The lines `nasdsl status` prints."""
    state = f"running ({status.writer})" if status.writer else "not running"
    lines = [f"experiment {status.experiment}: {state}",
             f"runs: {status.finished:,} of {status.runs:,} finished"
             + (f", {status.running:,} started" if status.running else "")]
    done = count(status.evaluations, "evaluation")
    if status.planned:
        done = (f"{status.evaluations:,} of {int(status.planned):,} "
                f"({100 * status.evaluations / status.planned:.1f}%)")
    lines.append(f"evaluations: {done}")
    if status.fidelities:
        lines.append("  at each fidelity: " + ", ".join(
            f"{n:,} at {count(epochs, 'epoch')}" for epochs, n in status.fidelities))
    if status.best is not None:
        lines.append(f"best so far: {status.best:.4f} ({status.best_run})")
    if status.rate is not None:
        pace = (f"{status.rate:,.1f} evaluations/s" if status.rate >= 1 or status.rate <= 0
                else rate_words(1, 1 / status.rate, "evaluation"))  # `42 s per evaluation`
        rate = f"rate: {pace} (since the first run started)"
        if status.eta is not None:
            rate += f"; ETA {duration(status.eta)}"
        lines.append(rate)
    lines.append(f"journal: {status.journal}")
    return "\n".join(lines)


def _being_created(journal: Path) -> bool:
    """The file is what a run leaves for a moment as it creates a journal: nothing yet, an
    empty file, or nasdsl's marker without tables (or an SQLite file with no tables)."""
    found = identify(journal)
    return (found.kind in ("absent", "nasdsl")
            or found.reason in ("an empty file", "an SQLite database with no tables"))


def _creating(journal: Path, writer: str) -> str:
    return (f"running ({writer}): no evaluations yet (its journal is being created)\n"
            f"journal: {journal}")


def status_command(path: Path) -> int:
    """`nasdsl status PATH`: PATH is an output folder or a journal file. 2 when there is no
    journal (and no run creating one)."""
    from nasdsl.report.source import JOURNAL_NAME, find_journal

    path = Path(path)
    journal = find_journal(path)
    if journal is None:
        expected = path / JOURNAL_NAME if path.is_dir() else path
        writer = _writer(expected)
        if writer is not None and _being_created(expected):
            print(_creating(expected, writer))
            return 0
        print(f"error: no journal at {path} (expected an experiment file, a journal file, or "
              "a folder holding journal.sqlite: run `nasdsl run FILE` first)", file=sys.stderr)
        return 2
    try:
        status = read_status(journal)
    except (JournalError, ForeignFile):
        writer = _writer(journal)
        if writer is None or not _being_created(journal):
            raise
        print(_creating(journal, writer))
        return 0
    if not status.experiment and not status.runs and status.writer is not None:
        print(_creating(journal, status.writer))  # tables made, the plan not yet written
        return 0
    print(describe(status))
    return 0


__all__ = ["Status", "describe", "read_status", "status_command"]
