"""One writer per journal: an advisory lock that `nasdsl run` holds while it writes.

The lock is `flock` on `<journal>.lock` beside the journal — not on the journal itself, whose
locks belong to SQLite and must stay free for readers. It is named after the journal's path
with every symbolic link and `..` resolved, so two spellings of one journal (a link to it or
to its folder) share one lock. The file says who holds the lock (pid, host, command, since),
so a second run can name the holder. The kernel releases the lock when
its holder exits, however it ends (`kill -9` included): a lock file left behind never blocks
anyone. Readers (`nasdsl report`, a status command) never take it.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import sys
from pathlib import Path
from typing import Any

from nasdsl.errors import JournalError, JournalInUse

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no advisory locks, one run at a time by hand
    fcntl = None  # type: ignore[assignment]


def lock_path(journal: str | os.PathLike) -> Path:
    """The lock file of `journal`, beside the file the path resolves to."""
    real = Path(os.path.realpath(journal))
    return real.with_name(real.name + ".lock")


class WriteLock:
    """Held from `acquire()` until `release()` (or the end of the process)."""

    def __init__(self, journal: str | os.PathLike):
        self.journal = Path(journal)
        self.path = lock_path(self.journal)
        self._fd: int | None = None

    def acquire(self) -> "WriteLock":
        """Take the lock, or raise JournalInUse naming who holds it (JournalError when the
        lock file cannot be made: the journal could not be written either)."""
        if fcntl is None or self._fd is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise JournalError(f"cannot create the journal {self.journal}: {e.strerror or e} "
                               f"(making its lock file {self.path})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise JournalInUse(f"{self.journal} is being written by another nasdsl run "
                               f"({_describe(holder)}); one run writes a journal at a time: "
                               "wait for it to end or stop it (reading it, as `nasdsl report` "
                               "does, needs no wait)") from None
        self._fd = fd
        _write_holder(fd)
        return self

    def release(self) -> None:
        """Let the next run write (the lock file stays: removing it would race)."""
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            except OSError:
                pass
            os.close(self._fd)  # closing releases the flock
            self._fd = None

    def __enter__(self) -> "WriteLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()


def _write_holder(fd: int) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "command": " ".join(["nasdsl", *sys.argv[1:]]) if sys.argv else "nasdsl",
              "since": _dt.datetime.now().astimezone().isoformat(timespec="seconds")}
    data = json.dumps(holder).encode()
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
    except OSError:
        pass  # who holds it is a courtesy; the lock itself is taken


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode()) if data else {}
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return "holder unknown"
    parts = [f"pid {holder.get('pid')}"]
    if holder.get("host") and holder.get("host") != socket.gethostname():
        parts[0] += f" on {holder['host']}"
    if holder.get("command"):
        parts.append(f"`{holder['command']}`")
    if holder.get("since"):
        parts.append(f"since {holder['since']}")
    return ", ".join(parts)
