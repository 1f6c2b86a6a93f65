"""What a store's `meta.json` must say (format 2), checked before any of it is trusted.

`check_meta` refuses a description that is not nasdsl's, was written by an older nasdsl
(no checksums), was edited after import (its own checksum) or contradicts itself; it also
says which dtype and shape every array file must have, so no array is used on the word of
its own header alone.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.nasbench101 import MAX_VERTICES
from nasdsl.store import layout
from nasdsl.store.checksum import DIGEST_KEY, meta_digest
from nasdsl.store.table import CELL_METRICS, RUN_METRICS

RUN_DTYPES = (np.dtype(np.float32).str, np.dtype(np.float64).str)
CELL_DTYPES = (np.dtype(np.int64).str, np.dtype(np.float64).str)
_CRC = re.compile(r"^[0-9a-f]{8}$")


def repair_advice(meta: Any) -> str:
    """How to get a sound store again: the command that imports its source once more."""
    source = meta.get("source") if isinstance(meta, dict) else None
    path = source.get("path") if isinstance(source, dict) else None
    if isinstance(path, str) and path:
        return f"import it again: nasdsl data nasbench101 --import {path}"
    return "import it again with `nasdsl data nasbench101 --import FILE` or `--download`"


def spec_files(cells: int) -> dict[str, tuple[tuple[str, ...], tuple[int, ...]]]:
    """File -> (accepted dtypes, shape) of the spec columns of a `cells`-row store."""
    return {
        layout.HASHES: ((np.dtype("S32").str,), (cells,)),
        layout.ADJACENCY: ((np.dtype(np.uint8).str,), (cells, MAX_VERTICES, MAX_VERTICES)),
        layout.OPS: ((np.dtype(np.int8).str,), (cells, MAX_VERTICES)),
        layout.NUM_VERTICES: ((np.dtype(np.int8).str,), (cells,)),
    }


def check_meta(meta: Any, where: Path) -> None:
    """Refuse a description nasdsl did not write or that changed since (DataError for an
    older or foreign format, DamagedDataError for damage)."""
    if not isinstance(meta, dict):
        raise DamagedDataError(f"{where}: a store description is a JSON object, this is a "
                               f"{type(meta).__name__}; the store is damaged, "
                               f"{repair_advice(meta)}")
    if meta.get("format") != layout.FORMAT:
        raise DataError(f"{where}: not a nasdsl NAS-Bench-101 store (format "
                        f"{meta.get('format')!r}); {repair_advice(meta)}")
    version = meta.get("format_version")
    if version != layout.FORMAT_VERSION:
        older = isinstance(version, int) and version < layout.FORMAT_VERSION
        why = ("written by an older nasdsl, without the checksums this version verifies"
               if older else f"format version {version!r}, which this nasdsl cannot read")
        raise DataError(f"{where.parent}: the store was {why}; {repair_advice(meta)}")
    recorded = meta.get(DIGEST_KEY)
    if recorded != meta_digest(meta):
        raise DamagedDataError(f"{where}: its checksum does not match its content (changed "
                               f"after import); the store is damaged, {repair_advice(meta)}")
    problem = _structure_problem(meta)
    if problem:
        raise DamagedDataError(f"{where}: {problem}; the store is damaged, "
                               f"{repair_advice(meta)}")


def _is_int(v: Any, low: int = 0, high: int | None = None) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool) and v >= low
            and (high is None or v <= high))


def _structure_problem(meta: dict) -> str | None:
    """The first way the description contradicts itself or the layout, or None."""
    cells, epochs, repeats = meta.get("cells"), meta.get("epochs"), meta.get("repeats")
    if not _is_int(cells, 1):
        return f"`cells` must be a positive integer, not {cells!r}"
    if (not isinstance(epochs, list) or not all(_is_int(e, 1) for e in epochs)
            or epochs != sorted(set(epochs))):
        return f"`epochs` must be an increasing list of positive integers, not {epochs!r}"
    if not _is_int(repeats):
        return f"`repeats` must be a non-negative integer, not {repeats!r}"
    metrics, files = meta.get("metrics"), meta.get("files")
    if not isinstance(metrics, dict) or not isinstance(files, dict):
        return "`metrics` and `files` must be objects"
    expected = spec_files(cells)
    for name, info in metrics.items():
        problem = _metric_problem(name, info, cells, epochs, repeats)
        if problem:
            return f"metric {name!r}: {problem}"
        if info["per"] == "run":
            highest = max(info["repeats"].values(), default=0)
            expected[info["file"]] = (RUN_DTYPES, (cells, len(epochs), max(highest, 1)))
        else:
            expected[info["file"]] = (CELL_DTYPES, (cells,))
    if set(files) != set(expected):
        return (f"it lists files {sorted(files)}, the layout needs {sorted(expected)}")
    for name, (dtypes, shape) in expected.items():
        problem = _file_problem(files[name], dtypes, shape, repeats)
        if problem:
            return f"file {name}: {problem}"
    return None


def _metric_problem(name: str, info: Any, cells: int, epochs: list[int],
                    repeats: int) -> str | None:
    if not isinstance(info, dict):
        return "its description must be an object"
    if name in RUN_METRICS:
        if info.get("per") != "run" or info.get("file") != layout.run_file(name):
            return f"must be per run in {layout.run_file(name)}"
        keys = {str(e) for e in epochs}
        runs, reps = info.get("runs"), info.get("repeats")
        if not isinstance(runs, dict) or not isinstance(reps, dict) \
                or set(runs) != keys or set(reps) != keys:
            return f"`runs` and `repeats` must name each epoch budget {sorted(keys)}"
        if not all(_is_int(runs[k], 0, cells * repeats) and _is_int(reps[k], 0, repeats)
                   for k in keys):
            return "`runs` and `repeats` hold counts outside the table"
        return None
    if name in CELL_METRICS:
        if info.get("per") != "cell" or info.get("file") != layout.cell_file(name):
            return f"must be per cell in {layout.cell_file(name)}"
        if not _is_int(info.get("cells"), 0, cells):
            return "`cells` must count rows of the table"
        return None
    return f"not a metric of NAS-Bench-101 ({', '.join(RUN_METRICS + CELL_METRICS)})"


def _file_problem(entry: Any, dtypes: tuple[str, ...], shape: tuple[int, ...],
                  repeats: int) -> str | None:
    if not isinstance(entry, dict):
        return "its description must be an object"
    if entry.get("dtype") not in dtypes:
        return f"dtype {entry.get('dtype')!r}, expected one of {list(dtypes)}"
    got = entry.get("shape")
    if not isinstance(got, list) or not all(_is_int(d) for d in got):
        return f"shape {got!r} is not a list of sizes"
    if len(shape) == 3 and len(got) == 3 and tuple(got[:2]) == shape[:2] \
            and shape[2] <= got[2] <= max(repeats, 1):
        pass  # a run metric may keep empty repeats beyond its last one with data
    elif tuple(got) != shape:
        return f"shape {tuple(got)}, expected {shape}"
    if not _is_int(entry.get("bytes")) or not _CRC.match(str(entry.get("crc32"))):
        return "`bytes` and `crc32` must be recorded"
    return None
