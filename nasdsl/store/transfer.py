"""How every download behaves: it gives up on a server that stops sending, and it leaves no
partial file behind when it fails or is interrupted.

The stall timeout is the longest wait for the next bytes (connecting included): 60 seconds,
or `$NASDSL_DOWNLOAD_STALL` seconds when set (a slow mirror, or a test).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from nasdsl.errors import DataError

STALL_ENV = "NASDSL_DOWNLOAD_STALL"
STALL_SECONDS = 60.0


def stall_timeout() -> float:
    """Seconds a download waits for the next bytes before it is given up."""
    text = os.environ.get(STALL_ENV, "").strip()
    if not text:
        return STALL_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise DataError(f"${STALL_ENV} must be a number of seconds above 0, not {text!r}")
    return seconds


@contextlib.contextmanager
def removed_unless_done(path: Path) -> Iterator[Path]:
    """`path` (a `.part` file being written) is removed when the block raises anything,
    Ctrl-C included."""
    try:
        yield path
    except BaseException:
        path.unlink(missing_ok=True)
        raise
