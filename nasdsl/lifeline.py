"""Worker processes end when their parent does.

A worker whose parent was killed (`kill -9`, out of memory) would otherwise live on,
reparented to PID 1, blocked writing results into a pipe nobody reads. Two guards, installed
first thing in every worker: on Linux the kernel itself kills the worker when the parent dies
(`prctl(PR_SET_PDEATHSIG, SIGKILL)`); everywhere, a watchdog thread checks twice a second
that the parent is still there and ends the worker at once when it is not.
"""
from __future__ import annotations

import ctypes
import importlib
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
CHECK_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """Install both guards in this (worker) process; `parent` is the pid that started it."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still works
    if os.getppid() != parent:  # the parent died before the guard was up
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="nasdsl-lifeline", daemon=True).start()


def guarded(parent: int, entry: str, *args) -> None:
    """A worker process's target: the guards first, then `entry` ('module:function') called
    with `args`. Naming the entry instead of passing it keeps what a new process unpickles
    before the guards are up to this small module, so a parent killed while its workers
    still import their code does not leave them behind."""
    die_with_parent(parent)
    module, _, name = entry.partition(":")
    function = importlib.import_module(module)
    for part in name.split("."):
        function = getattr(function, part)
    function(*args)


def entry_of(function) -> str:
    """The 'module:function' name `guarded` imports (a module-level function)."""
    return f"{function.__module__}:{function.__qualname__}"


def _watch(parent: int) -> None:
    while True:
        time.sleep(CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(1)
