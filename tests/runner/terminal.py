"""A command on a pseudo-terminal, as a user runs it in a shell: the terminal is the command's
controlling terminal, so Ctrl-C typed there reaches its whole process group, and a program
that checks `isatty()` (the progress display) sees a terminal."""
from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
from pathlib import Path


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # after setsid: stdin becomes the controlling tty


class Terminal:
    """`command` running on a new pseudo-terminal, its output read as it comes (a terminal
    that nobody reads blocks the writer)."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], columns: int = 120):
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
        self._leader = leader
        self._chunks: list[bytes] = []
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=follower, stdout=follower,
                                     stderr=follower, start_new_session=True,
                                     preexec_fn=_take_terminal)
        os.close(follower)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._leader, 65536)
            except OSError:  # EIO: every process holding the terminal closed it
                return
            if not chunk:
                return
            self._chunks.append(chunk)

    def type(self, keys: bytes) -> None:
        os.write(self._leader, keys)

    def closed(self, timeout: float) -> bool:
        """Whether every process that held the terminal (workers included) let go of it."""
        self._reader.join(timeout)
        return not self._reader.is_alive()

    @property
    def output(self) -> str:
        return b"".join(self._chunks).decode(errors="replace")

    def kill(self) -> None:
        """End the command's whole process group (a test that failed cleans up after it)."""
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.proc.wait()

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.kill()
        self._reader.join(5)
        os.close(self._leader)
