"""Fetch the official NAS-Bench-101 files, resumably.

Bytes go to `<data>/downloads/<file>.part`, renamed when the file is whole and its sha256
checked where one is known. A download that fails, stalls (`nasdsl.store.transfer`) or is
interrupted removes its `.part`; one left by a killed process is resumed with an HTTP Range
request from the size already there (a server that ignores Range restarts it).
The URL can be replaced with `$NASDSL_NB101_URL` (a mirror, or a local server in tests).
"""
from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nasdsl.errors import DataError
from nasdsl.store.importer import KNOWN_SHA256
from nasdsl.store.paths import downloads_dir
from nasdsl.store.transfer import removed_unless_done, stall_timeout

BASE_URL = "https://storage.googleapis.com/nasbench/"
FILES = {"only108": "nasbench_only108.tfrecord", "full": "nasbench_full.tfrecord"}
URL_ENV = "NASDSL_NB101_URL"
_CHUNK = 1 << 20

Progress = Callable[[int, int | None], None]
"""Called with (bytes on disk, total bytes or None when the server does not say)."""


@dataclass
class Downloaded:
    path: Path
    sha256: str
    resumed_from: int


def source_url(variant: str) -> str:
    return os.environ.get(URL_ENV) or BASE_URL + FILES[variant]


def download(variant: str = "only108", data: str | os.PathLike | None = None,
             progress: Progress | None = None, timeout: float | None = None) -> Downloaded:
    """Download one official file into the data folder (resuming a partial one left by a
    killed process). `timeout`: the stall timeout, default `stall_timeout()`."""
    if variant not in FILES:
        raise DataError(f"unknown NAS-Bench-101 file {variant!r}; choose one of {', '.join(FILES)}")
    url = source_url(variant)
    folder = downloads_dir(data)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / FILES[variant]
    part = final.with_name(final.name + ".part")
    start = part.stat().st_size if part.exists() else 0
    timeout = stall_timeout() if timeout is None else timeout
    try:
        with removed_unless_done(part):
            resumed = _fetch(url, part, start, progress, timeout)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", None) or e
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"no data for {timeout:g} s (stalled)"
        raise DataError(f"cannot download {url}: {reason}; nothing was kept") from None
    digest = _sha256(part)
    known = KNOWN_SHA256.get(final.name)
    if known and known != digest:
        part.unlink()
        raise DataError(f"{url}: downloaded file has sha256 {digest}, expected {known}; removed")
    os.replace(part, final)
    return Downloaded(final, digest, resumed)


def _fetch(url: str, part: Path, start: int, progress: Progress | None, timeout: float) -> int:
    """Write the remote file to `part`, from byte `start` when the server allows; returns the
    byte offset the transfer really resumed from."""
    request = urllib.request.Request(url)
    if start:
        request.add_header("Range", f"bytes={start}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and start:  # nothing left to fetch: the part is already whole
            return start
        raise
    with response:
        resumed = start if response.status == 206 else 0
        length = response.headers.get("Content-Length")
        total = resumed + int(length) if length is not None else None
        done = resumed
        with open(part, "ab" if resumed else "wb") as out:
            while block := response.read(_CHUNK):
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
    if total is not None and done != total:
        raise OSError(f"connection closed after {done} of {total} bytes")
    return resumed


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
