"""How a run stops when it is asked to: Ctrl-C (SIGINT) or SIGTERM.

The first signal raises `Interrupted` in the main thread, so the ordinary cleanup runs: the
progress display stops, executors end their worker processes, the journal commits what it
holds and closes. Worker processes ignore SIGINT (a terminal sends it to the whole process
group): the parent alone decides, and ends them. A second signal while that cleanup runs
ends the process at once, still without a traceback.
"""
from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by `signum`; the exit status is 128 + signum, as a shell
    reports a process ended by that signal."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum
        self.report: str | None = None  # the command that writes the report of what finished

    @property
    def name(self) -> str:
        return "Ctrl-C" if self.signum == signal.SIGINT else signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise `Interrupted` (once; a second one exits at
    once). Outside the main thread it does nothing: only that thread can take signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    state = {"raised": False}

    def handler(signum: int, frame: Any) -> None:
        if state["raised"]:
            os.write(2, b"stopped at once\n")
            os._exit(128 + signum)
        state["raised"] = True
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def ignore_interrupts() -> None:
    """For worker processes: Ctrl-C in a terminal reaches them too, but the parent decides
    whether the run stops, and ends them itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
