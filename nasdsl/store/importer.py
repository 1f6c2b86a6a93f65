"""`import_file`: any supported source file -> the store in a data folder."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from nasdsl.errors import DataError
from nasdsl.store.content import content_problems
from nasdsl.store.from_npz import read_npz
from nasdsl.store.from_tfrecord import read_tfrecord
from nasdsl.store.paths import store_dir
from nasdsl.store.writer import write_store

# Published files whose sha256 is known. A mismatch is reported, not fatal: a user may
# import an equivalent file of their own making under the same name. (No checksum is
# published for the official .tfrecord files; theirs is recorded at download and import.)
KNOWN_SHA256: dict[str, str] = {
    "nb101_test_r0.npz": "877ca9afd5560d1589d194e1c42868dfcc5e06b080d05395c1f25ad1dc286028",
}


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    store: Path
    meta: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def source_kind(path: Path) -> str:
    """'tfrecord' or 'npz', by name, else by content (an npz is a zip: starts with PK)."""
    name = path.name.lower()
    if name.endswith(".tfrecord"):
        return "tfrecord"
    if name.endswith(".npz"):
        return "npz"
    with open(path, "rb") as f:
        return "npz" if f.read(2) == b"PK" else "tfrecord"


def import_file(path: str | os.PathLike, data: str | os.PathLike | None = None,
                progress: Callable[[int], None] | None = None,
                checking: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import `path` into the store of `data` (replacing any store only once all went well).

    Every row's hash is recomputed from its spec and every metric range-checked first
    (`checking(rows done, rows)` follows that step); a table that fails is refused."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"{path}: no such file" if not path.exists() else
                        f"{path}: not a regular file; give the table or .tfrecord file itself")
    kind = source_kind(path)
    notes: list[str] = []
    if kind == "tfrecord":
        table = read_tfrecord(path, progress)
    else:
        table, notes = read_npz(path)
    problems = content_problems(table, checking)
    if problems:
        raise DataError(f"{path}: refused, the table's content is wrong:\n  "
                        + "\n  ".join(problems))
    digest = sha256_of(path)
    known = KNOWN_SHA256.get(path.name)
    if known and known != digest:
        notes.append(f"sha256 {digest} differs from the published {path.name} ({known})")
    source = {"file": path.name, "path": str(path.resolve()), "kind": kind,
              "size": path.stat().st_size, "sha256": digest,
              "known_sha256_match": (known == digest) if known else None}
    target = store_dir(data)
    meta = write_store(table, target, source)
    return ImportReport(target, meta, notes)
