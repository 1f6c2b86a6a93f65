"""`nasdsl data fashion_mnist | mnist | cifar10 --import PATH`: a verified copy of a dataset's
official files in nasdsl's data folder, where every run finds it without a network.

PATH is a folder holding the files (or its `fashion-mnist` / `mnist` / `cifar10` /
`cifar-10-batches-py` sub-folder), or one file (`mnist.npz`, `cifar-10-python.tar.gz`). Each
file is checked as the dataset lookup checks it (`nasdsl.training.official`: a recompressed
Fashion-MNIST is recognised by its decompressed content) before anything is copied; the copy
goes to a temporary folder beside the target and takes the target's name only when whole, so
an interrupted import leaves the previous copy (or none).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nasdsl.errors import DataError, NasdslError
from nasdsl.store.paths import data_dir
from nasdsl.training.official import FOLDERS, LAYOUTS, Files, file_problem

IMPORTABLE = tuple(LAYOUTS)


@dataclass(frozen=True)
class Imported:
    """Where the dataset now is, which files were copied (none when it already was)."""

    folder: Path
    files: tuple[str, ...]
    bytes: int


def dataset_command(args: argparse.Namespace) -> int:
    """`nasdsl data NAME --import PATH [--if-missing] [--data DIR]`; DataError refuses (2)."""
    name = args.dataset
    target = data_dir(args.data) / FOLDERS[name]
    if args.if_missing:
        problem = imported_problem(name, target)
        if problem is None:
            print(f"{name} already imported at {target}; nothing to do")
            return 0
        if target.exists():
            print(f"note: {problem}; importing again", file=sys.stderr)
    got = import_dataset(name, args.import_path, args.data)
    print(f"imported {name} ({len(got.files)} files, {got.bytes / 1e6:.1f} MB, each matching "
          f"the official content) from {args.import_path} into {got.folder}")
    return 0


def imported_problem(name: str, folder: Path) -> str | None:
    """Why `folder` holds no sound copy of dataset `name` (a sentence), or None."""
    problems = []
    for files in LAYOUTS[name]:
        if all((folder / n).is_file() for n in files):
            found = _problems(folder, files)
            if not found:
                return None
            problems += found
    return "; ".join(problems) or f"{folder}: not there"


def import_dataset(name: str, source: Path, data=None) -> Imported:
    """Copy the official files of `name` found at `source` into `<data folder>/<name's
    folder>`, replacing what was there; DataError when `source` holds no sound copy."""
    if name not in LAYOUTS:
        raise DataError(f"nasdsl imports {', '.join(IMPORTABLE)}, not {name!r}")
    source = Path(source).expanduser()
    if not source.exists():
        raise DataError(f"cannot import {name}: {source} does not exist")
    problems: list[str] = []
    for folder, files in _candidates(name, source):
        found = _problems(folder, files)
        if not found:
            return _copy(folder, files, data_dir(data) / FOLDERS[name])
        problems += found
    if not problems:
        wanted = " or ".join(", ".join(files) for files in LAYOUTS[name])
        raise DataError(f"cannot import {name}: {source} holds no copy of it (expected "
                        f"{wanted})")
    raise DataError(f"cannot import {name} from {source}: " + "; ".join(problems))


def _candidates(name: str, source: Path) -> list[tuple[Path, Files]]:
    """(folder, files) wherever `source` holds every file of one of the dataset's layouts."""
    if source.is_file():
        folders = [source.parent]
        layouts = [f for f in LAYOUTS[name] if source.name in f]
    else:
        folders = [source, source / FOLDERS[name], source / "cifar-10-batches-py"]
        layouts = list(LAYOUTS[name])
    return [(folder, files) for folder in folders for files in layouts
            if all((folder / n).is_file() for n in files)]


def _problems(folder: Path, files: Files) -> list[str]:
    return [p for p in (file_problem(folder / n, o) for n, o in files.items()) if p]


def _copy(folder: Path, files: Files, target: Path) -> Imported:
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.importing-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp's folder is private; the copy is data like any other
        for name in files:
            shutil.copyfile(folder / name, staging / name)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException as e:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(e, OSError):  # a full disk, a folder not writable: a failure (exit 1)
            raise NasdslError(f"cannot write {target}: {e.strerror or e}; nothing was "
                              "changed") from None
        raise
    return Imported(target, tuple(files), sum((target / n).stat().st_size for n in files))
