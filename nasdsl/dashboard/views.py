"""What the dashboard shows of a journal, computed once per version of the file.

A journal's version is the size and modification time of the file and its write-ahead log:
while a run writes, each commit changes it, and the next request (the page asks every few
seconds) reads the journal again; otherwise every request is answered from memory. Reading
never takes the writer's lock (`nasdsl.journal.reader`).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Generic, TypeVar

import pandas as pd

from nasdsl.errors import ForeignFile, JournalError
from nasdsl.report.analysis import Analysis, analyse
from nasdsl.report.html import Page, body
from nasdsl.report.source import ReportSource, read_journal
from nasdsl.report.status import Status, read_status
from nasdsl.report.tables import summary_notes

T = TypeVar("T")


def version(journal: Path) -> tuple:
    """Changes with every commit a writer makes (file and write-ahead log)."""
    out = []
    for path in (journal, journal.with_name(journal.name + "-wal")):
        try:
            st = path.stat()
            out += [st.st_size, st.st_mtime_ns]
        except OSError:
            out += [None, None]
    return tuple(out)


class Cache(Generic[T]):
    """The latest value computed for each key, kept while the key's version stands; `get`
    waits for a value, `ready`, `latest` and `start` let a page answer at once while a
    large journal is read in the background."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[tuple, T]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._reading: set[str] = set()

    def ready(self, key: str, current: tuple) -> T | None:
        """The value of this version, if computed."""
        held = self._values.get(key)
        return held[1] if held is not None and held[0] == current else None

    def latest(self, key: str) -> T | None:
        """The value last computed, whatever its version."""
        held = self._values.get(key)
        return held[1] if held is not None else None

    def latest_version(self, key: str) -> tuple | None:
        """The version of the value last computed."""
        held = self._values.get(key)
        return held[0] if held is not None else None

    def start(self, key: str, current: tuple, compute: Callable[[], T]) -> None:
        """Compute this version's value in a background thread (one at a time a key); a
        failure is left for `get` to raise again."""
        with self._guard:
            if key in self._reading:
                return
            self._reading.add(key)

        def work() -> None:
            try:
                self.get(key, current, compute)
            except Exception:  # noqa: BLE001 - the next request reads it again and says why
                pass
            finally:
                with self._guard:
                    self._reading.discard(key)

        threading.Thread(target=work, name=f"read-{key}", daemon=True).start()

    def get(self, key: str, current: tuple, compute: Callable[[], T]) -> T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one computation a key at a time: the others wait and reuse it
            held = self._values.get(key)
            if held is not None and held[0] == current:
                return held[1]
            value = compute()
            self._values[key] = (current, value)
            return value


@dataclass(frozen=True)
class Overview:
    """One line of the experiments' list."""

    id: str
    name: str
    state: str
    """running, finished, interrupted, unreadable, or reading (the first time)."""
    evaluations: int
    planned: int | None
    best: float | None
    rate: float | None
    eta: float | None
    runs: int
    finished: int
    problem: str = ""

    @classmethod
    def reading(cls, ident: str, name: str) -> "Overview":
        """The line of a journal being read for the first time."""
        return cls(ident, name, "reading", 0, None, None, None, None, 0, 0)

    def json(self) -> dict:
        return {"id": self.id, "name": self.name, "state": self.state,
                "evaluations": self.evaluations, "planned": self.planned, "best": self.best,
                "rate": self.rate, "eta": self.eta, "runs": self.runs,
                "finished": self.finished, "problem": self.problem}


def overview(ident: str, journal: Path, fallback: str) -> Overview:
    """The list's line of a journal; a journal that cannot be read says why."""
    try:
        s: Status = read_status(journal)
        give_back_memory()
    except (JournalError, ForeignFile, OSError) as e:
        return Overview(ident, fallback, "unreadable", 0, None, None, None, None, 0, 0,
                        str(e).splitlines()[0][:300])
    state = ("running" if s.writer else "finished" if s.runs and s.finished == s.runs
             else "interrupted")
    return Overview(ident, s.experiment or fallback, state, s.evaluations,
                    int(s.planned) if s.planned is not None else None, s.best, s.rate, s.eta,
                    s.runs, s.finished)


@dataclass(frozen=True)
class Experiment:
    """An experiment's page, made once per version of its journal: what the page shows and
    the evaluations table's rows; the journal's full tables are not kept (a 1.9-million-row
    journal's would hold hundreds of megabytes more)."""

    name: str
    labels: dict[str, str]
    configs: list[str]
    """The configurations, in the file's order."""
    html: str
    """The report part of the page (`nasdsl.report.html.body`)."""
    table: pd.DataFrame
    """Its evaluations as the evaluations table filters them (fixed columns only)."""


TABLE_COLUMNS = ["config", "run", "index", "generation", "fitness", "status", "architecture",
                 "cost_seconds", "error"]


def experiment(journal: Path) -> Experiment:
    """Read and analyse one journal (the latest plan's runs, as its report)."""
    found = from_source(read_journal(journal))
    give_back_memory()
    return found


def report_html(name: str, found: Analysis) -> str:
    """The report part of a page: the answer, plots, architectures and full summary."""
    page = Page(title=name, summary=found.summary, notes=summary_notes(found.summary),
                figures=found.figures(), best=found.best, labels=found.labels)
    return "\n".join(body(page, found.fitness))


def from_source(source: ReportSource) -> Experiment:
    found = analyse(source)
    evaluations = source.evaluations
    table = evaluations[[c for c in TABLE_COLUMNS if c in evaluations]].copy()
    table["config"] = table["config"].astype("category")
    table["status"] = table["status"].astype("category")
    return Experiment(source.experiment, found.labels, list(found.summary["config"]),
                      report_html(source.experiment, found), table)


def give_back_memory() -> None:
    """Return the memory freed after reading a large journal to the system (glibc keeps it
    otherwise: a 1.9-million-row read leaves a gigabyte that the process no longer uses)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass


def filtered(table: pd.DataFrame, config: str = "", run: str = "", status: str = "",
             top: int | None = None, limit: int = 500) -> tuple[pd.DataFrame, int]:
    """The rows the evaluations table shows: of one configuration, run and status when
    given, the `top` best by fitness (else in journal order), at most `limit`; and how many
    rows matched before `limit`."""
    mask = pd.Series(True, index=table.index)
    if config:
        mask &= table["config"] == config
    if run != "":
        try:
            mask &= table["run"] == int(run)
        except ValueError:
            mask &= False
    if status:
        mask &= table["status"] == status
    rows = table[mask]
    if top:
        rows = rows.dropna(subset=["fitness"]).nlargest(top, "fitness", keep="first")
    return rows.head(limit), len(rows)


__all__ = ["Cache", "Experiment", "Overview", "experiment", "filtered", "from_source",
           "overview", "report_html", "version"]
