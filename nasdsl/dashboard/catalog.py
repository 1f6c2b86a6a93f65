"""Which experiments the dashboard shows: the journals found in the folders it was given.

An experiment is named in URLs by an id made from its journal's path, never by the path
itself, so no request can name a file: whatever a URL says, the dashboard reads only the
journals found here, inside the given folders. Folders are searched again on each listing,
so an experiment started after the dashboard appears.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

JOURNAL_NAME = "journal.sqlite"
DEPTH = 4
"""Folders below a given one searched for journals (`results/<experiment>/journal.sqlite`
is one level down)."""


@dataclass(frozen=True)
class Entry:
    """One journal the dashboard may read."""

    id: str
    journal: Path
    folder: Path
    """The given folder it was found in."""


def journal_id(journal: Path) -> str:
    """A short, stable id for a journal (its resolved path hashed)."""
    return hashlib.sha256(str(journal.resolve()).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Catalog:
    """The given folders and journal files, searched on demand."""

    folders: tuple[Path, ...]
    journals: tuple[Path, ...] = ()
    """Journals named directly (an experiment file's): shown even before they exist."""

    def entries(self) -> list[Entry]:
        """Every journal found, in path order, each once."""
        found: dict[Path, Entry] = {}
        for journal in self.journals:
            resolved = journal.resolve()
            found.setdefault(resolved, Entry(journal_id(resolved), resolved, resolved.parent))
        for folder in self.folders:
            root = folder.resolve()
            for journal in sorted(_journals(root)):
                resolved = journal.resolve()
                if resolved.is_relative_to(root):  # a link out of the folder is not followed
                    found.setdefault(resolved, Entry(journal_id(resolved), resolved, root))
        return sorted(found.values(), key=lambda e: str(e.journal))

    def get(self, ident: str) -> Entry | None:
        """The entry of `ident`, or None: an id names nothing outside the catalogue."""
        return next((e for e in self.entries() if e.id == ident), None)


def _journals(root: Path, depth: int = DEPTH) -> list[Path]:
    out = []
    if (root / JOURNAL_NAME).is_file():
        out.append(root / JOURNAL_NAME)
    if depth == 0:
        return out
    try:
        children = [c for c in root.iterdir() if c.is_dir() and not c.name.startswith(".")]
    except OSError:
        return out
    for child in children:
        out += _journals(child, depth - 1)
    return out


__all__ = ["Catalog", "Entry", "journal_id"]
