"""Write a file so that it is either complete or absent: write a temporary file beside it,
flush it to disk, then rename it over the target.

A report interrupted by a full disk, a read-only folder or a kill never leaves a truncated
`evaluations.csv` that looks complete: the previous file (or none) stays in place, the
temporary file is removed, and the error names the file that could not be written.
"""
from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from nasdsl.errors import NasdslError


class WriteFailed(NasdslError):
    """A file could not be written completely (exit 1); nothing partial was left."""


def explain(error: OSError) -> str:
    """The reason an OS error gives, in the words a user looks for."""
    if error.errno == errno.ENOSPC:
        return "the disk is full"
    if error.errno == errno.EDQUOT:
        return "the disk quota is exhausted"
    if error.errno == errno.EFBIG:
        return "the file size limit was reached"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only or not writable"
    return error.strerror or str(error)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike, binary: bool = False) -> Iterator[IO]:
    """An open temporary file that replaces `path` when the block ends without error;
    WriteFailed (nothing left behind) when it cannot be written in full."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise WriteFailed(f"cannot write {path}: {explain(e)}") from None
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else
                                                        {"encoding": "utf-8", "newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        _remove(tmp)
        raise WriteFailed(f"cannot write {path}: {explain(e)}; the previous file, if any, "
                          "is unchanged") from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
