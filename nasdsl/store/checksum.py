"""Checksums that tell a store's files from damaged copies of them.

Each array file's CRC-32 is recorded in `meta.json` at import and compared whenever the file
is opened: zlib's CRC-32 runs at gigabytes per second and is always available, and it catches
every burst of damage up to 32 bits and all but 1 in 4 billion others. `meta.json` itself
carries a SHA-256 of its canonical content, so an edited description is caught as well.
"""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any, Mapping

_CHUNK = 1 << 22
DIGEST_KEY = "checksum"


def file_crc32(path: Path) -> str:
    """CRC-32 of a whole file, as 8 hex digits (read in chunks: no mapping that a file
    truncated meanwhile could turn into a crash)."""
    crc = 0
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buffer):
            crc = zlib.crc32(view[:n], crc)
    return f"{crc:08x}"


def meta_digest(meta: Mapping[str, Any]) -> str:
    """SHA-256 of the description without its own checksum, independent of whitespace and
    key order."""
    body = {k: v for k, v in meta.items() if k != DIGEST_KEY}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def content_digest(meta: Mapping[str, Any]) -> str:
    """What the store answers, as 16 hex digits: its arrays' checksums, shapes and dtypes and
    what it says they hold — not where or when it was imported, so importing the same table
    again keeps it and any other table changes it."""
    body = {k: meta.get(k) for k in ("cells", "epochs", "repeats", "metrics")}
    body["files"] = {name: {k: entry.get(k) for k in ("dtype", "shape", "crc32")}
                     for name, entry in (meta.get("files") or {}).items()}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def file_state(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's content may have: device, inode, size and both
    modification times (ctime cannot be set back by the user)."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
