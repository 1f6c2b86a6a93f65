"""The journal's tables, its format version, and what opening an older format changes.

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
                                     (`nasdsl.journal.rows`), written with it and checked
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

Format 1 journals (no marker, no `runs.data`) are read, and upgraded in place when a run
resumes them.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Mapping

from nasdsl.errors import JournalError
from nasdsl.journal.file import APPLICATION_ID
from nasdsl.journal.rows import FINAL_HASHED

FORMAT_VERSION = "3"
"""3: rows carry checksums (an older nasdsl, which would add rows without them, refuses it)."""
READABLE = ("1", "2", "3")

SCHEMA = """
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
"""The finals table's columns but its checksum, in table order."""
ROW_COLUMNS = ("run", "idx", "generation", "architecture", "hash", "fitness", "status", "error",
               "cost_seconds", "wall_seconds", "metrics", "arrival")
"""The evaluations table's columns but its checksum, in the order of `records.Row`."""

Statement = tuple[str, Any]
"""(sql, params); `params` a list means executemany."""


def has_column(db: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether `table` has `column` (False for a table the journal lacks)."""
    return column in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def check_version(meta: Mapping[str, str], path: Path) -> None:
    """Refuse a journal written by a newer nasdsl (a format this one cannot read)."""
    version = meta.get("format_version")
    if version not in (None, *READABLE):
        raise JournalError(f"{path} has journal format {version}, written by a newer "
                           f"nasdsl (this one reads formats {', '.join(READABLE)}); use that "
                           "nasdsl, another output, or --fresh")


def mark_current() -> Statement:
    """The statement that records this format as the journal's."""
    return ("INSERT OR REPLACE INTO meta(key, value) VALUES ('format_version', ?)",
            (FORMAT_VERSION,))


def upgrade_from_1(db: sqlite3.Connection) -> list[Statement]:
    """Format 1 -> 2, to run in one transaction: the marker, and the column of the runs'
    data."""
    statements: list[Statement] = [(f"PRAGMA application_id = {APPLICATION_ID}", ())]
    if not has_column(db, "runs", "data"):
        statements.append(("ALTER TABLE runs ADD COLUMN data TEXT", ()))
    statements.append(mark_current())
    return statements


def explain(error: Exception) -> str:
    """An SQLite error, with what it means for the journal's location when that is known."""
    text = str(error)
    if "full" in text:
        return f"{text} (the disk is full, or the journal reached its size limit)"
    if "readonly" in text or "read-only" in text:
        return f"{text} (the journal's location is read-only)"
    if "unable to open" in text:
        return f"{text} (its folder is missing or not writable)"
    return text
