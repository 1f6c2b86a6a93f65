"""A guarded call runs in a forked child: its value or exception comes back, and a crash, a
hang or a memory blow-up of the child is a `GuardedFailure` here, never the caller's death."""
from __future__ import annotations

import os
import signal
import time

import pytest

from nasdsl.optimizers.guarded import EXTRA_MEMORY, GuardedFailure, can_guard, guarded

pytestmark = pytest.mark.skipif(not can_guard(), reason="needs fork in a single-threaded process")


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _refuse(text: str) -> None:
    raise ValueError(text)


def test_a_value_and_an_exception_come_back():
    assert guarded(sum, [1, 2, 3]) == 6
    with pytest.raises(ValueError, match="no such thing"):
        guarded(_refuse, "no such thing")


def test_a_crash_a_hang_and_a_memory_blow_up_are_failures_of_the_call():
    with pytest.raises(GuardedFailure, match="crashed .signal 11."):
        guarded(_crash)
    start = time.monotonic()
    with pytest.raises(GuardedFailure, match="did not finish within 0.5 s"):
        guarded(time.sleep, 60, seconds=0.5)
    assert time.monotonic() - start < 10  # the child was killed, not waited for
    with pytest.raises(MemoryError):
        guarded(bytearray, 2 * EXTRA_MEMORY)
