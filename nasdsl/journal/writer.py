"""The run's writer: opening a journal for write (creating it, upgrading an older format),
and adding rows, each write in one transaction.

SQLite allows one writer; `nasdsl.journal.lock` makes sure one run is it. A failed write
(read-only location, full disk) rolls back and raises JournalError, leaving exactly the rows
committed before it.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from nasdsl.errors import ForeignFile, JournalError
from nasdsl.journal import verify
from nasdsl.journal.file import APPLICATION_ID, identify, refuse_foreign
from nasdsl.journal.reader import Reader
from nasdsl.journal.records import Row
from nasdsl.journal.rows import FINAL_HASHED, checksums, row_checksums
from nasdsl.journal.schema import (FINAL_COLUMNS, ROW_COLUMNS, SCHEMA, Statement, explain,
                                   has_column, mark_current, upgrade_from_1)
from nasdsl.journal.values import metrics_json, to_json
from nasdsl.plan import SearchConfig


class Writer(Reader):
    """An open journal a run writes (and reads, to resume): `Writer.open(path)`."""

    @classmethod
    def open(cls, path: str | Path, max_bytes: int | None = None) -> "Writer":
        """Open the journal at `path` for writing, creating it and its folder if needed and
        upgrading an older format. `max_bytes` caps the file's size: a write past it fails
        as on a full disk. ForeignFile when the file at `path` is not a nasdsl journal."""
        path = Path(path)
        found = refuse_foreign(path)
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
            db.executescript(SCHEMA)
            if max_bytes is not None:
                page = db.execute("PRAGMA page_size").fetchone()[0]
                db.execute(f"PRAGMA max_page_count = {max(int(max_bytes) // page, 1)}")
        except sqlite3.Error as e:
            if db is not None:
                db.close()
            raise JournalError(f"cannot write the journal {path}: {explain(e)}") from e
        writer = cls(db, path)
        try:
            writer._check_version()
            if found.kind == "nasdsl-1":
                writer._transaction(upgrade_from_1(db))
            writer._add_checksums()
        except BaseException:
            db.close()
            raise
        return writer

    def _add_checksums(self) -> None:
        """Give the rows of a journal written before rows carried checksums theirs, in one
        transaction with the new columns (`evaluations.checksum`, `finals.checksum`);
        refused (JournalError) when a row holds a value it cannot hold, as a resume on it
        would be."""
        statements: list[Statement] = []
        with self._reading():
            if not has_column(self._db, "evaluations", "checksum"):
                c = verify.evaluations(self._db, self.path).columns
                sums = checksums(c).tolist() if len(c["run"]) else []
                statements += [("ALTER TABLE evaluations ADD COLUMN checksum INT", ()),
                               ("UPDATE evaluations SET checksum = ? WHERE run = ? AND idx = ?",
                                list(zip(sums, c["run"].tolist(), c["idx"].tolist())))]
            if not has_column(self._db, "finals", "checksum"):
                c = verify.finals(self._db, self.path).columns
                sums = checksums(c, FINAL_HASHED).tolist() if len(c["config"]) else []
                statements += [("ALTER TABLE finals ADD COLUMN checksum INT", ()),
                               ("UPDATE finals SET checksum = ? WHERE config = ? AND hash = ? "
                                "AND epochs = ?", list(zip(sums, c["config"].tolist(),
                                                           c["hash"].tolist(),
                                                           c["epochs"].tolist())))]
        if statements:
            statements.append(mark_current())
            self._transaction(statements)

    def close(self) -> None:
        """Close, leaving the file in rollback-journal mode, so that neither this writer nor
        a later reader (a report) leaves `-wal`/`-shm` files beside it. WAL comes back when
        a writer opens it again; when a reader still has it open, the switch waits for
        later."""
        try:
            self._db.execute("PRAGMA journal_mode = DELETE")
        except sqlite3.Error:
            pass
        self._db.close()

    def __enter__(self) -> "Writer":
        return self

    # --- writing -----------------------------------------------------------------------------
    def _transaction(self, statements: Iterable[Statement]) -> None:
        """Run (sql, params) pairs in one transaction; `params` a list means executemany."""
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
            raise JournalError(f"cannot write the journal {self.path}: {explain(e)}; "
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
            rows.append((c.key, position, c.label, r["algorithm"], to_json(r["settings"]),
                         to_json(c.swept), r["budget"], to_json(r["space"]),
                         to_json(r["evaluator"]), c.fingerprint()))
        self._transaction([("INSERT OR REPLACE INTO configs VALUES (?,?,?,?,?,?,?,?,?,?)", rows)])

    def start_run(self, run: str, config: str, repeat: int, seed: int,
                  data: str | None = None) -> None:
        """Mark a run running; `data` (JSON) identifies the benchmark data it reads, kept
        from its first start."""
        self._transaction([(
            "INSERT INTO runs VALUES (?, ?, ?, ?, 'running', 0, ?, NULL, ?) "
            "ON CONFLICT(run) DO UPDATE SET status = 'running', data = coalesce(data, ?)",
            (run, config, repeat, seed, time.time(), data, data))])

    def append(self, rows: Sequence[Row | tuple], finished: tuple[str, int] | None = None,
               outcome: Mapping[str, Any] | None = None) -> None:
        """Commit evaluation rows; with `finished = (run, n)` mark that run finished in the
        same transaction, recording the optimizer's `outcome` when it has one."""
        statements = _evaluation_rows(rows, self._has_arrival_column)
        if finished is not None:
            statements.append(("UPDATE runs SET status = 'finished', evaluations = ?, "
                               "finished = ? WHERE run = ?",
                               (finished[1], time.time(), finished[0])))
            if outcome:
                statements.append(("INSERT OR REPLACE INTO outcomes VALUES (?, ?)",
                                   (finished[0], to_json(outcome))))
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


def _evaluation_rows(rows: Sequence[Row | tuple],
                     has_arrival: Callable[[], bool]) -> list[Statement]:
    """The statements that insert `rows` (`Row`s or plain tuples in its order, `arrival`
    optional), each with its checksum (`nasdsl.journal.rows`), and count them in their
    runs. Rows that arrived out of index order carry `arrival`, whose column the first of
    them adds; the others are written without it, so a journal of runs that completed in
    index order stays as older nasdsl wrote it. Column by column: a lookup grid commits
    millions of rows, so no step here is a Python call per row."""
    if not rows:
        return []
    width = len(ROW_COLUMNS)
    if any(len(r) != width for r in rows):
        rows = [tuple(r) + (None,) * (width - len(r)) for r in rows]
    columns = list(zip(*rows))
    sums = checksums(dict(zip(ROW_COLUMNS, columns))).tolist()
    runs, indices, arrivals = columns[0], columns[1], columns[-1]
    statements: list[Statement] = []
    if arrivals.count(None) == len(arrivals):  # every row in index order: the usual case
        in_order, out_of_order, places = list(zip(*columns[:-1], sums)), [], indices
    else:
        late = [a is not None for a in arrivals]
        out_of_order = [(*r, c) for r, c, x in zip(rows, sums, late) if x]
        in_order = [(*r[:-1], c) for r, c, x in zip(rows, sums, late) if not x]  # no arrival
        places = [i if a is None else a for i, a in zip(indices, arrivals)]
    if out_of_order:
        if not has_arrival():
            statements.append(("ALTER TABLE evaluations ADD COLUMN arrival INT", ()))
        statements.append((f"INSERT INTO evaluations({', '.join(ROW_COLUMNS)}, "
                           "checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", out_of_order))
    if in_order:
        statements.append((f"INSERT INTO evaluations({', '.join(ROW_COLUMNS[:-1])}, "
                           "checksum) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", in_order))
    counts: dict[str, int] = {}  # rows of several runs may share one commit: count each
    for run, place in zip(runs, places):
        if counts.get(run, -1) < place:
            counts[run] = place
    statements.append(("UPDATE runs SET evaluations = ? WHERE run = ?",
                       [(n + 1, run) for run, n in counts.items()]))
    return statements


def discard(path: str | Path) -> None:
    """Delete a journal and its SQLite side files (`--fresh`); a file that is not a nasdsl
    journal is refused (ForeignFile) and left as it is."""
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

