"""Where benchmark data lives: one data folder per user, one sub-folder per dataset.

The data folder is `$NASDSL_DATA`, else `~/.cache/nasdsl`; a command's `--data` or an
evaluator's `data` setting overrides both. The NAS-Bench-101 store is `<data>/nasbench101/`.
"""
from __future__ import annotations

import os
from pathlib import Path

STORE_NAME = "nasbench101"
META_FILE = "meta.json"


def default_data_dir() -> Path:
    """The data folder used when none is given."""
    env = os.environ.get("NASDSL_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "nasdsl"


def data_dir(data: str | os.PathLike | None = None) -> Path:
    """The data folder: `data` when given, else the default."""
    return Path(data).expanduser() if data is not None else default_data_dir()


def store_dir(data: str | os.PathLike | None = None) -> Path:
    """The NAS-Bench-101 store folder for `data`, which may name a data folder or the store
    itself (a folder holding `meta.json`)."""
    base = data_dir(data)
    if (base / META_FILE).is_file():
        return base
    return base / STORE_NAME


def downloads_dir(data: str | os.PathLike | None = None) -> Path:
    """Where downloaded source files are kept (so an interrupted download can resume)."""
    return data_dir(data) / "downloads"
