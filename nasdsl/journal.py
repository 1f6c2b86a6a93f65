"""The journal: one SQLite file holding every evaluation of an experiment.

It is the source of truth. The runner writes it (one writer: SQLite allows one), resumes from
it by replay, and reports read it and nothing else, so a finished, a running and a killed
experiment read alike. Every write happens inside a transaction: a failed write (read-only
location, full disk) rolls back and raises `JournalError`, leaving exactly the rows committed
before it.

The file is marked as nasdsl's (SQLite `application_id`, see `nasdsl.journal_file`): any
other file at a journal's path is refused, never written into or deleted. Format 1 journals
(no marker, no `runs.data`) are read, and upgraded in place when a run resumes them.

Tables (format 3; format 2 had no checksum columns, added when a run resumes it):

    meta(key, value)                 format_version, experiment, source, seed, repeat, created
    configs(config, position, search, algorithm, settings, swept, budget, space, evaluator,
            fingerprint)             one row per search configuration; JSON for plan values
    runs(run, config, repeat, seed, status, evaluations, started, finished, data)
                                     status is "running" until the search returned; data
                                     (JSON) identifies the benchmark data the run read
    evaluations(run, idx, generation, architecture, hash, fitness, status, error,
                cost_seconds, wall_seconds, metrics, checksum, arrival)
                                     indices in the order the optimizer asked (0..n-1 per
                                     run once it finished); `arrival` the place of the
                                     evaluation among the run's completions when it is not
                                     `idx` (candidates submitted one by one to several
                                     workers complete in any order; replay follows it).
                                     NULL: arrived in index order. The column is added by
                                     the first row that needs it, so a journal of runs
                                     that completed in index order stays as older nasdsl
                                     wrote it. `checksum`: of the row's other columns
                                     (`nasdsl.journal_rows`), written with it and checked
                                     with its values' ranges whenever the row is read;
                                     added, filled for every row, when a run resumes a
                                     journal written before it existed
    outcomes(run, outcome)           JSON of what the optimizer found beyond its evaluations
                                     (a controller's final policy), written as the run
                                     finishes; journals without the table read as none
    finals(config, hash, epochs, rank, architecture, search_fitness, seed, status, error,
           fitness, cost_seconds, wall_seconds, metrics, model, data, checksum)
                                     `final { … }` retrainings, one per (configuration,
                                     architecture, epochs), each committed as it ends;
                                     `model` the saved file, `data` (JSON) the identity of
                                     the data it trained on, as in `runs`; journals without
                                     the table read as none
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from nasdsl.errors import ForeignFile, JournalError
from nasdsl.journal_file import APPLICATION_ID, identify
from nasdsl.journal_rows import (FINAL_HASHED, HASHED, KIND_WORDS, checksums, metric_kind,
                                 metric_numbers, numbers, out_of_range, row_checksums, wrong_type,
                                 wrong_types)
from nasdsl.plan import SearchConfig, jsonable
from nasdsl.result import Result
from nasdsl.wording import count

FORMAT_VERSION = "3"
"""3: rows carry checksums (an older nasdsl, which would add rows without them, refuses it)."""
READABLE = ("1", "2", "3")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS configs(
    config TEXT PRIMARY KEY, position INT, search TEXT, algorithm TEXT, settings TEXT,
    swept TEXT, budget TEXT, space TEXT, evaluator TEXT, fingerprint TEXT);
CREATE TABLE IF NOT EXISTS runs(
    run TEXT PRIMARY KEY, config TEXT, repeat INT, seed INT, status TEXT,
    evaluations INT, started REAL, finished REAL, data TEXT);
CREATE TABLE IF NOT EXISTS evaluations(
    run TEXT, idx INT, generation INT, architecture TEXT, hash TEXT, fitness REAL,
    status TEXT, error TEXT, cost_seconds REAL, wall_seconds REAL, metrics TEXT, checksum INT,
    PRIMARY KEY (run, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outcomes(run TEXT PRIMARY KEY, outcome TEXT);
CREATE TABLE IF NOT EXISTS finals(
    config TEXT, hash TEXT, epochs INT, rank INT, architecture TEXT, search_fitness REAL,
    seed INT, status TEXT, error TEXT, fitness REAL, cost_seconds REAL, wall_seconds REAL,
    metrics TEXT, model TEXT, data TEXT, checksum INT,
    PRIMARY KEY (config, hash, epochs)) WITHOUT ROWID;
"""
FINAL_COLUMNS = FINAL_HASHED

_ROW_COLUMNS = ("run", "idx", "generation", "architecture", "hash", "fitness", "status", "error",
                "cost_seconds", "wall_seconds", "metrics", "arrival")
_EVALUATION_COLUMNS = ["search", "config", "run", "seed", "index", "generation", "architecture",
                       "hash", "fitness", "status", "error", "cost_seconds", "wall_seconds"]


class Checked(NamedTuple):
    """Evaluation rows that passed their checks (`Journal._verified`)."""

    columns: dict[str, np.ndarray]
    """HASHED column name -> its values over the rows (an object array of what SQLite
    gave back), in key order (run, index)."""
    decoded: list[dict]
    """Each row's metrics."""
    metrics: dict[str, list]
    """Metric name -> its value in each row (None where a row lacks it)."""


class Row(NamedTuple):
    """One row of the evaluations table, in column order (a plain tuple of the same order,
    with or without the last column, is accepted wherever a Row is)."""

    run: str
    index: int
    generation: int
    architecture: str
    hash: str
    fitness: float | None
    status: str
    error: str | None
    cost_seconds: float
    wall_seconds: float
    metrics: str
    """The metrics as JSON text (`metrics_json`)."""
    arrival: int | None = None
    """Its place among the run's completions; None when that is `index`."""


@dataclass(frozen=True)
class Recorded:
    """A journaled evaluation as the runner replays it."""

    index: int
    hash: str
    result: Result


@dataclass(frozen=True)
class RunState:
    """What the journal knows about one run."""

    run: str
    config: str
    repeat: int
    seed: int
    status: str
    evaluations: int
    data: str | None = None
    """JSON identifying the benchmark data the run read (None: format 1, or no data)."""
    failed: int = 0
    """How many of its evaluations failed."""


class RunProgress(NamedTuple):
    """How far one run got (`Journal.run_progress`)."""

    run: str
    config: str
    repeat: int
    status: str
    started: float | None
    finished: float | None
    evaluations: int
    best: float | None


def _explain(error: sqlite3.Error) -> str:
    text = str(error)
    if "full" in text:
        return f"{text} (the disk is full, or the journal reached its size limit)"
    if "readonly" in text or "read-only" in text:
        return f"{text} (the journal's location is read-only)"
    if "unable to open" in text:
        return f"{text} (its folder is missing or not writable)"
    return text


class Journal:
    """An open journal. Use `Journal.open(path)` to read, `Journal.open(path, readonly=False)`
    to write (creating the file and its folder if needed)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, readonly: bool):
        self._db = connection
        self.path = path
        self.readonly = readonly
        self._warned = False

    # --- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, readonly: bool = True,
             max_bytes: int | None = None) -> "Journal":
        """`max_bytes` caps the file's size: a write past it fails as on a full disk.
        ForeignFile when the file at `path` is not a nasdsl journal."""
        path = Path(path)
        found = identify(path)
        if found.kind == "foreign":
            raise ForeignFile(f"{path} is not a nasdsl journal ({found.reason}); nasdsl "
                              "neither writes into nor deletes a file it did not create, with or "
                              "without --fresh: choose another journal or output")
        if readonly:
            if found.kind == "absent":
                raise JournalError(f"no journal at {path}")
            uri = path.absolute().as_uri() + "?mode=ro"
            db = None
            try:
                db = sqlite3.connect(uri, uri=True, isolation_level=None)
                db.execute("PRAGMA busy_timeout = 10000")
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as e:
                if db is not None:
                    db.close()
                raise JournalError(f"cannot read the journal {path}: {_explain(e)}") from e
            journal = cls(db, path, readonly=True)
            journal._check_version()
            return journal
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise JournalError(f"cannot create the journal {path}: {e.strerror or e}") from e
        db = None
        try:
            db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout = 10000")
            if found.kind == "absent":  # the marker first, written straight into the header
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            # WAL: readers (reports on a running experiment) never block the writer, and a
            # killed writer loses only its open transaction.
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.executescript(_SCHEMA)
            if max_bytes is not None:
                page = db.execute("PRAGMA page_size").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {max(int(max_bytes) // page, 1)}")
        except sqlite3.Error as e:
            if db is not None:
                db.close()
            raise JournalError(f"cannot write the journal {path}: {_explain(e)}") from e
        journal = cls(db, path, readonly=False)
        try:
            journal._check_version()
            if found.kind == "nasdsl-1":
                journal._upgrade()
            journal._add_checksums()
        except BaseException:
            db.close()
            raise
        return journal

    def _check_version(self) -> None:
        version = self.meta().get("format_version")
        if version not in (None, *READABLE):
            raise JournalError(f"{self.path} has journal format {version}, written by a newer "
                               f"nasdsl (this one reads formats {', '.join(READABLE)}); use that "
                               "nasdsl, another output, or --fresh")

    def _upgrade(self) -> None:
        """Format 1 -> 2 in one transaction: the marker, and the column of the runs' data."""
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(runs)")}
        statements: list[tuple[str, Any]] = [(f"PRAGMA application_id = {APPLICATION_ID}", ())]
        if "data" not in columns:
            statements.append(("ALTER TABLE runs ADD COLUMN data TEXT", ()))
        statements.append(("INSERT OR REPLACE INTO meta(key, value) VALUES "
                           "('format_version', ?)", (FORMAT_VERSION,)))
        self._transaction(statements)

    def _add_checksums(self) -> None:
        """Give the rows of a journal written before rows carried checksums theirs, in one
        transaction with the new columns (`evaluations.checksum`, `finals.checksum`);
        refused (JournalError) when a row holds a value it cannot hold, as a resume on it
        would be."""
        statements: list[tuple[str, Any]] = []
        with self._reading():
            if not self._has_column("evaluations", "checksum"):
                c = self._verified(warn=False).columns
                sums = checksums(c).tolist() if len(c["run"]) else []
                statements += [("ALTER TABLE evaluations ADD COLUMN checksum INT", ()),
                               ("UPDATE evaluations SET checksum = ? WHERE run = ? AND idx = ?",
                                list(zip(sums, c["run"].tolist(), c["idx"].tolist())))]
            if not self._has_column("finals", "checksum"):
                _, c = self._finals(warn=False)
                sums = checksums(c, FINAL_HASHED).tolist() if len(c["config"]) else []
                statements += [("ALTER TABLE finals ADD COLUMN checksum INT", ()),
                               ("UPDATE finals SET checksum = ? WHERE config = ? AND hash = ? "
                                "AND epochs = ?", list(zip(sums, c["config"].tolist(),
                                                           c["hash"].tolist(),
                                                           c["epochs"].tolist())))]
        if statements:
            statements.append(("INSERT OR REPLACE INTO meta(key, value) VALUES "
                               "('format_version', ?)", (FORMAT_VERSION,)))
            self._transaction(statements)

    def close(self) -> None:
        """Close; a writer leaves the file in rollback-journal mode, so that neither it nor a
        later reader (a report) leaves `-wal`/`-shm` files beside it. WAL comes back when a
        writer opens it again; when a reader still has it open, the switch waits for later."""
        if not self.readonly:
            try:
                self._db.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error:
                pass
        self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @staticmethod
    def discard(path: str | Path) -> None:
        """Delete a journal and its SQLite side files (`--fresh`); a file that is not a
        nasdsl journal is refused (ForeignFile) and left as it is."""
        path = Path(path)
        found = identify(path)
        if found.kind == "foreign":
            raise ForeignFile(f"{path} is not a nasdsl journal ({found.reason}); --fresh "
                              "deletes only nasdsl's own journals: choose another journal or "
                              "output")
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                  path.with_name(path.name + "-journal")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:
                raise JournalError(f"cannot discard the journal {p}: {e.strerror or e}") from e

    # --- writing -----------------------------------------------------------------------------
    def _transaction(self, statements: Iterable[tuple[str, Any]]) -> None:
        """Run (sql, params) pairs in one transaction; `params` a list means executemany."""
        if self.readonly:
            raise JournalError(f"{self.path} is open read-only")
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            for sql, params in statements:
                if isinstance(params, list):
                    db.executemany(sql, params)
                else:
                    db.execute(sql, params)
            db.execute("COMMIT")
        except sqlite3.Error as e:
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise JournalError(f"cannot write the journal {self.path}: {_explain(e)}; "
                               "it holds every evaluation committed before this error") from e
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) inside the transaction
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def write_meta(self, values: Mapping[str, Any], keep: Sequence[str] = ("created",)) -> None:
        """Set meta values; keys in `keep` are written only when absent."""
        rows = [(k, str(v)) for k, v in values.items() if k not in keep]
        first = [(k, str(v)) for k, v in values.items() if k in keep]
        self._transaction([
            ("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", rows),
            ("INSERT OR IGNORE INTO meta(key, value) VALUES (?, ?)", first),
        ])

    def write_configs(self, configs: Sequence[SearchConfig]) -> None:
        """Record the plan's configurations, in plan order."""
        rows = []
        for position, c in enumerate(configs):
            r = c.record()
            rows.append((c.key, position, c.label, r["algorithm"], _to_json(r["settings"]),
                         _to_json(c.swept), r["budget"], _to_json(r["space"]),
                         _to_json(r["evaluator"]), c.fingerprint()))
        self._transaction([("INSERT OR REPLACE INTO configs VALUES (?,?,?,?,?,?,?,?,?,?)", rows)])

    def start_run(self, run: str, config: str, repeat: int, seed: int,
                  data: str | None = None) -> None:
        """Mark a run running; `data` (JSON) identifies the benchmark data it reads, kept
        from its first start."""
        self._transaction([(
            "INSERT INTO runs VALUES (?, ?, ?, ?, 'running', 0, ?, NULL, ?) "
            "ON CONFLICT(run) DO UPDATE SET status = 'running', data = coalesce(data, ?)",
            (run, config, repeat, seed, time.time(), data, data))])

    def append(self, rows: Sequence[Row], finished: tuple[str, int] | None = None,
               outcome: Mapping[str, Any] | None = None) -> None:
        """Commit evaluation rows; with `finished = (run, n)` mark that run finished in the
        same transaction, recording the optimizer's `outcome` when it has one."""
        statements: list[tuple[str, Any]] = []
        if rows:  # each row with its checksum (`nasdsl.journal_rows`), written in one go
            sums = row_checksums(rows)
            out_of_order = [(*r, c) for r, c in zip(rows, sums) if len(r) == 12
                            and r[11] is not None]
            if out_of_order:
                if not self._has_arrival_column():
                    statements.append(("ALTER TABLE evaluations ADD COLUMN arrival INT", ()))
                statements.append((f"INSERT INTO evaluations({', '.join(_ROW_COLUMNS)}, "
                                   "checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", out_of_order))
            in_order = [(*r[:11], c) for r, c in zip(rows, sums)
                        if len(r) == 11 or r[11] is None]
            if in_order:
                statements.append((f"INSERT INTO evaluations({', '.join(_ROW_COLUMNS[:11])}, "
                                   "checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", in_order))
        if rows:  # rows of several runs may share one commit: count each of them
            counts: dict[str, int] = {}
            for r in rows:  # the place among completions, the index unless told otherwise
                place = r[11] if len(r) == 12 and r[11] is not None else r[1]
                counts[r[0]] = max(counts.get(r[0], 0), place + 1)
            statements.append(("UPDATE runs SET evaluations = ? WHERE run = ?",
                               [(n, run) for run, n in counts.items()]))
        if finished is not None:
            statements.append(("UPDATE runs SET status = 'finished', evaluations = ?, "
                               "finished = ? WHERE run = ?",
                               (finished[1], time.time(), finished[0])))
            if outcome:
                statements.append(("INSERT OR REPLACE INTO outcomes VALUES (?, ?)",
                                   (finished[0], _to_json(outcome))))
        if statements:
            self._transaction(statements)

    def record_final(self, row: Mapping[str, Any]) -> None:
        """Commit one retraining of `final { … }` (keys: the finals table's columns; metrics
        a mapping)."""
        values = [row.get(c) for c in FINAL_COLUMNS]
        values[FINAL_COLUMNS.index("metrics")] = metrics_json(row.get("metrics") or {})
        values.append(row_checksums([values], FINAL_HASHED)[0])
        self._transaction([(f"INSERT OR REPLACE INTO finals({', '.join(FINAL_COLUMNS)}, "
                            f"checksum) VALUES ({','.join('?' * (len(FINAL_COLUMNS) + 1))})",
                            tuple(values))])

    # --- reading for the runner ------------------------------------------------------------
    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """A damaged file (truncated, garbage inside) read here is a JournalError naming it."""
        try:
            yield
        except (sqlite3.DatabaseError, pd.errors.DatabaseError, ValueError, TypeError) as e:
            raise JournalError(f"cannot read the journal {self.path}: {_explain(e)}; the file "
                               "is damaged (truncated, or overwritten inside): move it aside "
                               "and run again, or use --fresh") from e

    def _has_column(self, table: str, column: str) -> bool:
        """Whether `table` has `column` (False for a table the journal lacks)."""
        return column in {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}

    def _has_arrival_column(self) -> bool:
        return self._has_column("evaluations", "arrival")

    def _has_data_column(self) -> bool:
        return self._has_column("runs", "data")

    def run_states(self) -> dict[str, RunState]:
        with self._reading():
            data = "r.data" if self._has_data_column() else "NULL"
            cur = self._db.execute(
                "SELECT r.run, r.config, r.repeat, r.seed, r.status, "
                "(SELECT count(*) FROM evaluations e WHERE e.run = r.run), "
                f"{data}, (SELECT count(*) FROM evaluations e WHERE e.run = r.run "
                "AND e.status = 'failed') FROM runs r")
            return {row[0]: RunState(*row) for row in cur}

    def run_progress(self) -> list[RunProgress]:
        """Every run with its evaluations so far and their best fitness (`nasdsl status`),
        from the rows as reports read them: checked the same way (`_verified`)."""
        with self._reading():
            columns = self._verified().columns
            runs = self._db.execute("SELECT run, config, repeat, status, started, finished "
                                    "FROM runs").fetchall()
        rows = pd.DataFrame({"run": pd.Series(columns["run"], dtype=object),
                             "fitness": numbers(columns["fitness"]),
                             "ok": np.asarray(columns["status"], dtype=object) == "ok"})
        counts = rows.groupby("run", sort=False).size()
        best = rows[rows["ok"]].groupby("run", sort=False)["fitness"].max()
        return [RunProgress(run, config, repeat, status, started, finished,
                            int(counts.get(run, 0)), _number(best.get(run)))
                for run, config, repeat, status, started, finished in runs]

    def _verified(self, run: str | None = None, warn: bool = True) -> "Checked":
        """The evaluations table's rows (all of them, or one run's), each checked first
        (`_check`). The one reader of evaluations, for reports, `status` and resume alike:
        a damaged row is a JournalError naming it."""
        has_checksum = self._has_column("evaluations", "checksum")
        arrival = "arrival" if self._has_arrival_column() else "NULL"
        where, params = (" WHERE run = ?", (run,)) if run is not None else ("", ())
        cur = self._db.execute(
            f"SELECT {', '.join(HASHED[:-1])}, {arrival}, "
            f"{'checksum' if has_checksum else 'NULL'} FROM evaluations{where}", params)
        found = list(zip(*cur.fetchall())) or [()] * (len(HASHED) + 1)
        columns = {name: _objects(values) for name, values in zip(HASHED, found)}
        fitness_of = self._fitness_metrics()
        runs = dict(self._db.execute("SELECT run, config FROM runs"))
        metric = pd.Series(columns["run"], dtype=object).map(
            {r: fitness_of.get(c) for r, c in runs.items()}).to_numpy(dtype=object)

        def name(i: int) -> str:
            known = self._db.execute("SELECT config, repeat FROM runs WHERE run = ?",
                                     (columns["run"][i],)).fetchone()
            which = f" (configuration {known[0]}, repeat {known[1]})" if known else ""
            return f"evaluation {columns['idx'][i]} of run {columns['run'][i]}{which}"

        decoded, metrics = self._check(HASHED, columns, found[-1] if has_checksum else None,
                                       {"fitness": metric}, name, warn)
        return Checked(columns, decoded, metrics)

    def _check(self, names: Sequence[str], columns: dict[str, np.ndarray],
               stored: Sequence[Any] | None, fitness: dict[str, np.ndarray],
               name: Callable[[int], str], warn: bool) -> tuple[list[dict], dict[str, list]]:
        """Check rows read back (`columns`, over `names`) in the order that names what is
        wrong first: their values' types, their checksums (`stored`; None for a table
        written before rows carried them, read with a one-line "unverified" warning when
        `warn`), their values' ranges (`_check_ranges`). `name(i)` names row i in the
        JournalError that refuses it. Returns the rows' decoded metrics, and their columns."""
        rows = len(columns[names[0]])
        wrong = wrong_types(columns, names)
        if wrong is not None:
            i = int(np.argmax(wrong))
            self._damaged(name(i), wrong, wrong_type(columns, i, names))
        if stored is not None and rows:
            try:
                sums = np.asarray(stored, dtype=np.int64)
            except (TypeError, ValueError, OverflowError):  # NULL or text: matches nothing
                sums = np.array([v if isinstance(v, int) and -2**63 <= v < 2**63 else 0
                                 for v in stored], dtype=np.int64)
            mismatch = sums != checksums(columns, names)
            if mismatch.any():
                self._damaged(name(int(np.argmax(mismatch))), mismatch,
                              "its checksum does not match its values")
        elif warn and rows and not self._warned:
            self._warned = True
            print(f"warning: {self.path} was written before journal rows carried checksums: "
                  "its rows are read unverified (a run that resumes it adds them)",
                  file=sys.stderr)
        decoded = _decode_json(columns["metrics"])
        metrics = _columns(decoded)
        if rows:
            self._check_ranges(columns, metrics, fitness, name)
        return decoded, metrics

    def _check_ranges(self, columns: dict[str, np.ndarray], metrics: dict[str, list],
                      fitness: dict[str, np.ndarray], name: Callable[[int], str]) -> None:
        """Refuse the first row whose fitness, times or metrics lie outside what their kind
        allows (`metric_kind`): values a checksum cannot vouch for in a journal without them,
        and a guard against an evaluator's wrong units. `fitness`: column -> the name of the
        metric it holds in each row (None where unknown)."""
        checks: list[tuple[str, str, np.ndarray, np.ndarray]] = []  # what, kind, values, bad
        for column, metric in fitness.items():
            values = numbers(columns[column])
            for of in {m for m in metric if isinstance(m, str) and metric_kind(m)}:
                mine = metric == of
                bad = np.zeros(len(values), dtype=bool)
                bad[mine] = out_of_range(values[mine], metric_kind(of))
                checks.append((f"{column} ({of})", metric_kind(of) or "", values, bad))
        for column in ("cost_seconds", "wall_seconds"):
            values = numbers(columns[column])
            checks.append((column, "amount", values, out_of_range(values, "amount")))
        for metric_name, values in metrics.items():
            kind = metric_kind(metric_name)
            if kind:
                array = metric_numbers(values)
                checks.append((f"metric {metric_name}", kind, array,
                               out_of_range(array, kind)))
        for what, kind, values, bad in checks:
            if bad.any():
                i = int(np.argmax(bad))
                self._damaged(name(i), bad, f"its {what} is {float(values[i])!r}, which is "
                                            f"not {KIND_WORDS[kind]}")

    def _fitness_metrics(self) -> dict[str, str]:
        """Configuration -> the name of the metric it maximizes (when it names one)."""
        out = {}
        for config, evaluator in self._db.execute("SELECT config, evaluator FROM configs"):
            try:
                fitness = (json.loads(evaluator or "{}").get("settings") or {}).get("fitness")
            except (ValueError, AttributeError):
                fitness = None
            if isinstance(fitness, str):
                out[config] = fitness
        return out

    def _damaged(self, row: str, bad: np.ndarray, why: str) -> None:
        others = int(bad.sum()) - 1
        more = f" (and {count(others, 'more row')})" if others else ""
        raise JournalError(f"{self.path}: {row} is damaged: {why}{more}; nasdsl neither "
                           "reports nor resumes a damaged journal: restore it from a copy, or "
                           "rerun with --fresh")

    def fingerprints(self) -> dict[str, str]:
        with self._reading():
            return dict(self._db.execute("SELECT config, fingerprint FROM configs"))

    def recorded(self, run: str) -> list[Recorded]:
        """The run's journaled evaluations in the order they arrived (index order unless
        they were submitted one by one): completions 0..n-1, each index once; each row
        checked as reports check it (`_verified`), so a damaged one stops the resume."""
        out: list[Recorded] = []
        with self._reading():
            checked = self._verified(run)
        c, decoded = checked.columns, checked.decoded
        places = [i if a is None else a for i, a in zip(c["idx"], c["arrival"])]
        for row in sorted(range(len(places)), key=places.__getitem__):
            idx, p = c["idx"][row], places[row]
            if p != len(out):
                raise JournalError(f"{self.path}: run {run} misses evaluation {len(out)}"
                                   if p == idx else f"{self.path}: run {run} misses "
                                   f"completion {len(out)}")
            out.append(Recorded(idx, c["hash"][row], Result(
                fitness=c["fitness"][row], metrics=decoded[row],
                cost_seconds=c["cost_seconds"][row], status=c["status"][row],
                error=c["error"][row])))
        return out

    def finals(self) -> pd.DataFrame:
        """The retrainings of `final { … }`, by configuration position and rank; one column
        per metric after the fixed ones. Empty for a journal without any. Each row is
        checked as evaluations are (`_check`)."""
        with self._reading():
            rows, _ = self._finals()
        columns = ["search", *FINAL_COLUMNS]
        df = pd.DataFrame.from_records([r[:-1] for r in rows], columns=columns)
        metrics = _expand_json([r[columns.index("metrics")] for r in rows])
        df = df.drop(columns=["metrics"])
        for name, values in metrics.items():
            df[name if name not in df.columns else f"metric.{name}"] = values
        return df

    def _finals(self, warn: bool = True) -> tuple[list[tuple], dict[str, np.ndarray]]:
        """The finals table's rows (search, its columns, checksum) in report order, checked,
        and its columns."""
        has_checksum = self._has_column("finals", "checksum")
        rows = self._rows_if_table(
            f"SELECT c.search, {', '.join('f.' + c for c in FINAL_COLUMNS)}, "
            f"{'f.checksum' if has_checksum else 'NULL'} "
            "FROM finals f LEFT JOIN configs c ON c.config = f.config "
            "ORDER BY c.position, f.rank, f.epochs")
        found = list(zip(*rows)) or [()] * (len(FINAL_COLUMNS) + 2)
        columns = {name: _objects(values) for name, values in zip(FINAL_COLUMNS, found[1:])}
        fitness_of = self._fitness_metrics()
        metric = pd.Series(columns["config"], dtype=object).map(fitness_of).to_numpy(
            dtype=object)

        def name(i: int) -> str:
            return (f"the retraining of {columns['hash'][i]} for {columns['epochs'][i]} "
                    f"epochs (configuration {columns['config'][i]})")

        self._check(FINAL_HASHED, columns, found[-1] if has_checksum else None,
                    {"fitness": metric, "search_fitness": metric}, name, warn)
        return rows, columns

    def _rows_if_table(self, query: str) -> list[tuple]:
        """The query's rows; none when a table it reads is missing (a journal written before
        that table existed)."""
        try:
            return self._db.execute(query).fetchall()
        except sqlite3.OperationalError as e:
            if "no such table" not in str(e):
                raise
            return []

    # --- reading for reports ---------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        with self._reading():
            return dict(self._db.execute("SELECT key, value FROM meta"))

    def configs(self) -> pd.DataFrame:
        with self._reading():
            df = pd.read_sql_query("SELECT * FROM configs ORDER BY position", self._db)
            for column in ("settings", "swept", "space", "evaluator"):
                df[column] = df[column].map(json.loads)
        return df

    def runs(self) -> pd.DataFrame:
        with self._reading():
            return pd.read_sql_query(
                "SELECT r.run, r.config, r.repeat, r.seed, r.status, r.evaluations FROM runs r "
                "LEFT JOIN configs c ON c.config = r.config ORDER BY c.position, r.repeat",
                self._db)

    def outcomes(self) -> pd.DataFrame:
        """One row per finished run with an outcome: search, config, repeat, seed, then one
        column per outcome key; sorted by configuration position and repeat."""
        with self._reading():
            rows = self._rows_if_table(
                "SELECT c.search, c.config, r.repeat, r.seed, o.outcome FROM outcomes o "
                "JOIN runs r ON r.run = o.run JOIN configs c ON c.config = r.config "
                "ORDER BY c.position, r.repeat")
        df = pd.DataFrame.from_records([r[:-1] for r in rows],
                                       columns=["search", "config", "repeat", "seed"])
        for name, values in _expand_json([r[-1] for r in rows]).items():
            df[name] = values
        return df

    def evaluations(self) -> pd.DataFrame:
        """One row per evaluation: the fixed columns, then one per metric, then one per swept
        key; sorted by configuration position, run, index."""
        with self._reading():
            return self._evaluations()

    def _evaluations(self) -> pd.DataFrame:
        checked = self._verified()
        c = checked.columns
        runs = pd.DataFrame.from_records(self._db.execute(
            "SELECT r.run, c.search, c.config, r.repeat, r.seed, c.position FROM runs r "
            "JOIN configs c ON c.config = r.config").fetchall(),
            columns=["key", "search", "config", "run", "seed", "position"])
        codes = pd.Categorical(pd.Series(c["run"], dtype=object),
                               categories=runs["key"].astype(object)).codes
        index = np.asarray(c["idx"], dtype=np.int64)
        kept = np.flatnonzero(codes >= 0)  # rows of runs the runs table holds
        position = runs["position"].to_numpy()[codes[kept]]
        repeat = runs["run"].to_numpy()[codes[kept]]
        kept = kept[np.lexsort((index[kept], repeat, position))]
        of_run = runs.iloc[codes[kept]].reset_index(drop=True)

        def column(name: str) -> list:
            return np.asarray(c[name], dtype=object)[kept].tolist()

        df = pd.DataFrame({"search": of_run["search"], "config": of_run["config"],
                           "run": of_run["run"], "seed": of_run["seed"], "index": index[kept],
                           **{name: column(source) for name, source in (
                               ("generation", "generation"), ("architecture", "architecture"),
                               ("hash", "hash"), ("fitness", "fitness"), ("status", "status"),
                               ("error", "error"), ("cost_seconds", "cost_seconds"),
                               ("wall_seconds", "wall_seconds"))}},
                          columns=_EVALUATION_COLUMNS)
        df["fitness"] = numbers(df["fitness"].to_numpy(dtype=object))
        metrics = checked.metrics
        if len(kept) < len(index):  # rows of runs the table lacks: their metrics left out
            metrics = _columns([checked.decoded[i] for i in kept])
        else:
            metrics = {name: np.asarray(values, dtype=object)[kept].tolist()
                       for name, values in metrics.items()}
        for name, values in metrics.items():
            df[name if name not in df.columns else f"metric.{name}"] = values
        swept = {c: json.loads(s) for c, s in self._db.execute("SELECT config, swept FROM configs")}
        keys: list[str] = []
        for values in swept.values():
            keys += [k for k in values if k not in keys]
        for key in keys:
            column = key if key not in df.columns else f"swept.{key}"
            df[column] = df["config"].map({c: v.get(key) for c, v in swept.items()})
        return df


def _expand_json(texts: Sequence[str]) -> dict[str, list[Any]]:
    """Metric columns from per-row JSON objects, in order of first appearance."""
    return _columns(_decode_json(texts))


def _decode_json(texts: Sequence[str | None]) -> list[dict]:
    """Per-row JSON objects (an empty one for NULL), in one parse."""
    return json.loads("[" + ",".join(t or "{}" for t in texts) + "]")


def _columns(decoded: Sequence[dict]) -> dict[str, list[Any]]:
    """Metric columns from decoded per-row objects, in order of first appearance."""
    names: dict[str, None] = {}
    for d in decoded:
        if len(d) != len(names) or any(k not in names for k in d):
            names.update(dict.fromkeys(d))
    return {n: [d.get(n) for d in decoded] for n in names}


def _objects(values: Sequence[Any]) -> np.ndarray:
    """The values as a one-dimensional object array (never a 2-D one)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _number(value: Any) -> float | None:
    """A float, None for none (NaN included)."""
    return None if value is None or value != value else float(value)


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _to_json(value: Any) -> str:
    return json.dumps(jsonable(value), default=_json_default)


_ENCODE = json.JSONEncoder(default=_json_default).encode


def metrics_json(metrics: Mapping[str, Any]) -> str:
    """The evaluations.metrics text of a result (numpy scalars become numbers)."""
    if not metrics:
        return "{}"
    return _ENCODE(metrics)
