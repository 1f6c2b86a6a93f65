"""What the file at a journal's path is, found without changing it: nothing yet, a journal
nasdsl wrote (this format or the previous one), or somebody else's file.

A journal carries a marker: SQLite's `application_id` header field set to "nasd". Journals of
format 1 predate the marker and are recognised by their tables (nasdsl's and no other) and
their recorded format. Anything else — another program's database, a text file, an empty
file, a pipe or a device — is not nasdsl's: nasdsl neither writes into it nor deletes it.
"""
from __future__ import annotations

import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from nasdsl.errors import ForeignFile

APPLICATION_ID = 0x6E617364  # "nasd"
SQLITE_MAGIC = b"SQLite format 3\x00"
V1_TABLES = {"meta", "configs", "runs", "evaluations"}
V1_OPTIONAL = {"outcomes", "finals"}
"""Format 1 gained `outcomes` (what a search found beyond its evaluations) and `finals` (what
`final { … }` retrained) along the way."""


@dataclass(frozen=True)
class JournalFile:
    """`kind` is "absent", "nasdsl" (marked), "nasdsl-1" (format 1, unmarked) or "foreign";
    `reason` says why a file is foreign."""

    path: Path
    kind: str
    reason: str = ""

    @property
    def ours(self) -> bool:
        return self.kind in ("nasdsl", "nasdsl-1")


def identify(path: str | Path) -> JournalFile:
    """Classify the file at `path` by reading its header (and, for an unmarked SQLite file,
    its table names, read-only)."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:  # no file there (or no way to reach one): nothing to protect; opening
        return JournalFile(path, "absent")  # it says what is wrong with the location
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        return JournalFile(path, "foreign", what)
    if st.st_size == 0:
        return JournalFile(path, "foreign", "an empty file")
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError as e:
        return JournalFile(path, "foreign", f"cannot be read: {e.strerror or e}")
    if not header.startswith(SQLITE_MAGIC):
        return JournalFile(path, "foreign", "not an SQLite database")
    app = int.from_bytes(header[68:72], "big") if len(header) >= 72 else 0
    if app == APPLICATION_ID:
        return JournalFile(path, "nasdsl")
    if app != 0:
        return JournalFile(path, "foreign", f"the database of another program "
                                            f"(application id {app:#x})")
    return _unmarked(path)


def refuse_foreign(path: str | Path) -> JournalFile:
    """What is at `path`, refused (ForeignFile, exit 2) when it is a file nasdsl did not
    write: checked before anything (a lock, a journal) is made beside it."""
    found = identify(path)
    if found.kind == "foreign":
        raise ForeignFile(f"{path} is not a nasdsl journal ({found.reason}); nasdsl neither "
                          "writes into nor deletes a file it did not create, with or without "
                          "--fresh: choose another journal or output")
    return found


def _unmarked(path: Path) -> JournalFile:
    """An SQLite file without a marker: a format-1 journal, or not nasdsl's."""
    db = None
    try:
        db = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True)
        if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return JournalFile(path, "nasdsl")  # marked in a write-ahead log not yet merged
        tables = {r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if V1_TABLES <= tables <= V1_TABLES | V1_OPTIONAL:
            row = db.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()
            if row is None or row[0] == "1":
                return JournalFile(path, "nasdsl-1")
        if not tables:
            return JournalFile(path, "foreign", "an SQLite database with no tables")
        return JournalFile(path, "foreign", "an SQLite database with tables "
                                            + ", ".join(sorted(tables)))
    except sqlite3.Error as e:
        return JournalFile(path, "foreign", f"an SQLite file that cannot be read ({e})")
    finally:
        if db is not None:
            db.close()
