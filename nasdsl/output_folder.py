"""What nasdsl writes into an output folder (reports, `final`'s models): never over a file
nasdsl did not write, and never half-written. Below both the runner (which claims the folder
before a run) and the report (which writes into it).

A report is written into a staging folder inside the output folder and moved into place file
by file (a rename each) once every file is complete, so a full disk, a read-only folder or a
kill leaves the previous report (or none), not a truncated `evaluations.csv` that looks whole.
`.nasdsl-files` in a folder lists the files nasdsl wrote there, each added before the file
is written; a file name that exists but is not listed — the user's own `summary.csv` in
`output = "."` — is refused (exit 2) before anything is written, and never deleted. `claim`
makes the list when a run starts, before its journal exists, so a folder left by a killed
run is still known as nasdsl's. A folder written by an older nasdsl (no list, but its journal
beside the reports) counts as nasdsl's until a run claims it.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from nasdsl.atomic_file import WriteFailed, atomic_output, explain
from nasdsl.errors import ForeignFile
from nasdsl.journal.file import identify

MANIFEST = ".nasdsl-files"
STAGING_PREFIX = ".nasdsl-report-"


def written_by_nasdsl(folder: Path) -> set[str]:
    """The file names nasdsl recorded writing into `folder`."""
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def foreign_files(folder: Path, names: Iterable[str], journal: Path | None = None,
                  home: Path | None = None) -> list[str]:
    """Which of `names` exist in `folder` without nasdsl having written them. `home` is the
    output folder `folder` lies in (`models/`'s parent; default `folder` itself): an older
    nasdsl's journal there vouches for files no list names."""
    folder = Path(folder)
    present = [n for n in names if os.path.lexists(folder / n)]
    if not present:
        return []
    ours = written_by_nasdsl(folder)
    home = Path(home) if home is not None else folder
    if (not (folder / MANIFEST).exists() and not (home / MANIFEST).exists()
            and _older_nasdsl_folder(home, journal)):
        return []
    return [n for n in present if n not in ours]


def _older_nasdsl_folder(folder: Path, journal: Path | None) -> bool:
    """Reports of a nasdsl that kept no list: its journal is in the same folder."""
    for path in {journal, folder / "journal.sqlite"} - {None}:
        if Path(path).parent.resolve() == folder.resolve() and identify(path).ours:
            return True
    return False


def check_output(folder: Path, names: Iterable[str], journal: Path | None = None,
                 home: Path | None = None) -> None:
    """Refuse (ForeignFile) to write `names` over files nasdsl did not write."""
    foreign = foreign_files(folder, names, journal, home)
    if foreign:
        raise ForeignFile(f"{Path(folder) / foreign[0]} was not written by nasdsl"
                          + (f" (nor {', '.join(foreign[1:])})" if len(foreign) > 1 else "")
                          + "; nasdsl writes its files only where they replace nothing but "
                          "its own: choose another output, or move the file away")


def claim(folder: Path, names: Iterable[str], journal: Path | None = None,
          home: Path | None = None, writing: bool = False, what: str = "the report") -> None:
    """Before nasdsl writes any of `names` into `folder`: refuse (ForeignFile) when one of
    them there is a file nasdsl did not write, else list `folder` as nasdsl's with those of
    `names` already there (an older nasdsl's, which no list named yet) and, when `writing`,
    all of `names` (about to be written). A run claims its folders when it starts, before its
    journal exists: after a kill, a file put there is still known as the user's.
    WriteFailed ("cannot write `what` into …") when the folder or its list cannot be written:
    for a run, before its first evaluation."""
    folder, names = Path(folder), list(names)
    check_output(folder, names, journal, home)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteFailed(f"cannot write {what} into {folder}: {explain(e)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteFailed(f"cannot write {what} into {folder}: the folder is read-only or "
                          "not writable")
    _record(folder, names if writing else [n for n in names if os.path.lexists(folder / n)])


@contextlib.contextmanager
def staged_report(folder: Path, journal: Path | None = None) -> Iterator[Path]:
    """A staging folder for one report; its files replace `folder`'s when the block ends
    without error (ForeignFile if one would replace a file nasdsl did not write, WriteFailed
    if the disk or the folder refuses). On any error nothing in `folder` has changed."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as e:
        raise WriteFailed(f"cannot write the report into {folder}: {explain(e)}") from None
    try:
        try:
            yield staging
        except OSError as e:
            raise WriteFailed(f"cannot write the report into {folder}: {explain(e)}; the "
                              "previous report files, if any, are unchanged") from None
        names = sorted(p.name for p in staging.iterdir())
        check_output(folder, names, journal)
        _record(folder, names)
        try:
            for name in names:
                os.replace(staging / name, folder / name)
        except OSError as e:
            raise WriteFailed(f"cannot write the report into {folder}: {explain(e)}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def forget(folder: Path, names: Iterable[str]) -> None:
    """Take `names` off the list of files nasdsl wrote (they were removed). An empty list
    stays: the folder is still nasdsl's, and a file put there later is still the user's."""
    listed = sorted(written_by_nasdsl(folder) - set(names))
    with atomic_output(folder / MANIFEST) as f:
        json.dump(listed, f, indent=0)
        f.write("\n")


def _record(folder: Path, names: list[str]) -> None:
    """Add `names` to the list of files nasdsl wrote (before they land: a file in place is
    always listed). An empty `names` still makes the list: the folder is nasdsl's."""
    listed = sorted(written_by_nasdsl(folder) | set(names))
    with atomic_output(folder / MANIFEST) as f:
        json.dump(listed, f, indent=0)
        f.write("\n")
