"""The journal: one SQLite file holding every evaluation of an experiment.

It is the source of truth. The runner writes it (one writer: SQLite allows one), resumes from
it by replay, and reports read it and nothing else, so a finished, a running and a killed
experiment read alike. One module per job:

    schema   the tables, the format version, what opening an older format changes
    rows     what makes a row trustworthy: checksums, column types, metric kinds and ranges
    records  the rows as named records (`Row`, `Recorded`, `RunState`, `RunProgress`)
    values   the JSON columns: writing values into them, reading them back as columns
    file     whether the file at a path is nasdsl's journal (its marker), found read-only
    lock     the advisory lock that makes one run its only writer
    verify   reading rows back checked (the one reader of rows)
    reader   read-only access: what reports, `status` and a resume read
    writer   the run's writer: opening for write, upgrades, rows added in transactions

`Journal.open(path)` is the entry point from Python.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

from nasdsl.journal.reader import Reader
from nasdsl.journal.writer import Writer, discard


class Journal:
    """Opens a journal: `Journal.open(path)` to read (a `Reader`), `Journal.open(path,
    readonly=False)` to write (a `Writer`, creating the file and its folder if needed)."""

    @overload
    @staticmethod
    def open(path: str | Path, readonly: Literal[True] = True,
             max_bytes: int | None = None) -> Reader: ...

    @overload
    @staticmethod
    def open(path: str | Path, readonly: Literal[False],
             max_bytes: int | None = None) -> Writer: ...

    @staticmethod
    def open(path: str | Path, readonly: bool = True,
             max_bytes: int | None = None) -> Reader | Writer:
        """`max_bytes` caps a writer's file size (`Writer.open`). ForeignFile when the file
        at `path` is not a nasdsl journal."""
        return Reader.open(path) if readonly else Writer.open(path, max_bytes)

    discard = staticmethod(discard)


__all__ = ["Journal", "Reader", "Writer", "discard"]
