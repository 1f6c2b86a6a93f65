"""A call into a library that may crash, hang or exhaust memory on hostile settings, made in
a forked child with a memory and a time limit, so that the process asking (`nasdsl check`)
gets a sentence instead of dying with it.

pygmo is such a library: some of its keywords are not checked against the population and
crash the interpreter (PSO's `neighb_param` above the population) or allocate by their
value (`neighb_param = 1000000000`). Forking is cheap and keeps what is imported; it is used
only where it is safe — a POSIX process running a single thread — and the caller asks
in-process otherwise.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import threading
from typing import Any, Callable

EXTRA_MEMORY = 2 << 30
"""Bytes a guarded call may allocate beyond what the process already maps."""


class GuardedFailure(Exception):
    """The guarded call crashed, ran past its time or its memory (the message says which)."""


def can_guard() -> bool:
    """Whether `guarded` can fork here: POSIX, and no other thread whose locks a child
    would inherit held."""
    return hasattr(os, "fork") and threading.active_count() == 1


def guarded(call: Callable[..., Any], *args: Any, seconds: float = 10.0) -> Any:
    """`call(*args)` in a forked child: its value, or the exception it raised (re-raised
    here as ValueError with its message when it cannot be pickled); `GuardedFailure` when
    the child is killed by a signal, passes `seconds`, or would map more than
    `EXTRA_MEMORY` bytes beyond this process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any cleanup of the parent
        os.close(read_end)
        import faulthandler

        faulthandler.disable()  # a crash is reported by the parent, in one sentence
        try:
            _limit_memory()
            outcome: tuple[str, Any] = ("value", call(*args))
        except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
            outcome = ("error", e)
        try:
            data = pickle.dumps(outcome)
        except Exception:  # noqa: BLE001 - an exception that cannot travel goes as text
            data = pickle.dumps(("error", ValueError(str(outcome[1]))))
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(write_end)
    data = b""
    timed_out = False
    with os.fdopen(read_end, "rb") as pipe:
        ready, _, _ = select.select([pipe], [], [], seconds)
        if ready:
            data = pipe.read()
        else:
            timed_out = True
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise GuardedFailure(f"it did not finish within {seconds:g} s")
    if os.WIFSIGNALED(status):
        raise GuardedFailure(f"it crashed (signal {os.WTERMSIG(status)})")
    if not data:
        raise GuardedFailure("it ended without an answer")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def _limit_memory() -> None:
    import resource

    mapped = _mapped_bytes()
    if mapped is None:
        return
    limit = mapped + EXTRA_MEMORY
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _mapped_bytes() -> int | None:
    """This process's address space (VmSize), where /proc says it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
