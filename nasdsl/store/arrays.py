"""Opening a store's array files: size, checksum, dtype and shape compared with what
`meta.json` recorded at import, before the first value is used.

A file already verified by this process and unchanged since (same inode, size and times) is
not read again, so opening the same store twice costs the checksum once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from nasdsl.errors import DamagedDataError
from nasdsl.store.checksum import file_crc32, file_state

_VERIFIED: dict[str, tuple[tuple[int, ...], str]] = {}


Check = Callable[[np.ndarray], "str | None"]
"""A further fact an array must hold (hashes sorted): None, or what is wrong."""


def open_array(path: Path, entry: Mapping[str, Any], advice: str, verify: bool = True,
               check: Check | None = None, cached: bool = True) -> np.ndarray:
    """The file memory-mapped read-only, once it matches `entry` (its `meta.json` record:
    dtype, shape, bytes, crc32) and passes `check`; DamagedDataError naming the file
    otherwise. `cached=False` reads the file again even if this process verified it."""
    def damaged(what: str) -> DamagedDataError:
        return DamagedDataError(f"{path}: {what}; the store is damaged, {advice}")

    try:
        state = file_state(path)
    except OSError as e:
        raise damaged(f"cannot be read ({e.strerror or e})") from None
    if verify:
        if state[2] != entry["bytes"]:
            raise damaged(f"{state[2]:,} bytes, {entry['bytes']:,} when imported")
        known = cached and _VERIFIED.get(str(path)) == (state, entry["crc32"])
        if not known:
            try:
                crc = file_crc32(path)
            except OSError as e:
                raise damaged(f"cannot be read ({e.strerror or e})") from None
            if crc != entry["crc32"]:
                raise damaged(f"checksum {crc}, {entry['crc32']} when imported")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as e:
        raise damaged(f"not a readable array ({e})") from None
    if array.dtype.str != entry["dtype"] or list(array.shape) != list(entry["shape"]):
        raise damaged(f"holds {array.dtype.str} {array.shape}, meta.json records "
                      f"{entry['dtype']} {tuple(entry['shape'])}")
    if verify and not known:
        problem = check(array) if check is not None else None
        if problem:
            raise damaged(problem)
        _VERIFIED[str(path)] = (state, entry["crc32"])
    return array


def forget_verified() -> None:
    """Verify every file again on its next opening (benchmarks time the cold path)."""
    _VERIFIED.clear()
