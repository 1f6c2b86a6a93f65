"""Limits for a subprocess a test starts: its address space, so a test proves a command stays
under a memory bound (it fails with MemoryError, not the machine, when it does not)."""
from __future__ import annotations

import resource
from typing import Callable


def limited(address_space: int) -> Callable[[], None]:
    """A `preexec_fn` that caps the child's address space at `address_space` bytes."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    return apply
