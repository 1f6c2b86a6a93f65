"""Write a table as a store, atomically: the new store is built in a temporary folder beside
the target and renamed into place, so a failed import leaves any existing store untouched."""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store import layout
from nasdsl.store.checksum import DIGEST_KEY, file_crc32, meta_digest
from nasdsl.store.paths import META_FILE
from nasdsl.store.table import METRICS, Table


def write_store(table: Table, target: Path, source: Mapping[str, Any]) -> dict[str, Any]:
    """Write `table` to the store folder `target`; returns the meta written.

    `source` describes where the data came from (file, kind, size, sha256).
    """
    table.check()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        meta = _write_files(table, tmp, source)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return meta


def _write_files(table: Table, folder: Path, source: Mapping[str, Any]) -> dict[str, Any]:
    files: dict[str, Any] = {}
    _save(folder, layout.HASHES, table.hashes, files)
    _save(folder, layout.ADJACENCY, table.adjacency.astype(np.uint8, copy=False), files)
    _save(folder, layout.OPS, table.labels.astype(np.int8, copy=False), files)
    _save(folder, layout.NUM_VERTICES, table.num_vertices.astype(np.int8, copy=False), files)
    metrics: dict[str, Any] = {}
    for name, values in _canonical(table.run_metrics).items():
        _save(folder, layout.run_file(name), values, files)
        present = ~np.isnan(values)
        metrics[name] = {
            "per": "run",
            "dtype": str(values.dtype),
            "file": layout.run_file(name),
            # runs present per epoch budget: which budgets and repeats really hold data
            "runs": {str(e): int(present[:, i, :].sum()) for i, e in enumerate(table.epochs)},
            "repeats": {str(e): _repeats_with_data(present[:, i, :])
                        for i, e in enumerate(table.epochs)},
        }
    for name, values in _canonical(table.cell_metrics).items():
        _save(folder, layout.cell_file(name), values, files)
        metrics[name] = {"per": "cell", "dtype": str(values.dtype), "file": layout.cell_file(name),
                         "cells": int(np.count_nonzero(~np.isnan(values.astype(np.float64))))}
    meta = {
        "format": layout.FORMAT,
        "format_version": layout.FORMAT_VERSION,
        "cells": table.cells,
        "epochs": [int(e) for e in table.epochs],
        "repeats": table.repeats,
        "metrics": metrics,
        "files": files,
        "source": dict(source),
        "imported": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    meta[DIGEST_KEY] = meta_digest(meta)
    with open(folder / META_FILE, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return meta


def _canonical(columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Metrics in the DSL's order (validation, test, train, time, parameters, flops)."""
    return dict(sorted(columns.items(), key=lambda kv: METRICS.index(kv[0])
                       if kv[0] in METRICS else len(METRICS)))


def _repeats_with_data(present: np.ndarray) -> int:
    """Highest repeat index holding any value, plus one."""
    cols = np.flatnonzero(present.any(axis=0))
    return int(cols[-1]) + 1 if cols.size else 0


def _save(folder: Path, name: str, array: np.ndarray, files: dict[str, Any]) -> None:
    """Write one array and record what a later opening checks: dtype, shape, size, CRC-32."""
    path = folder / name
    array = np.ascontiguousarray(array)
    np.save(path, array, allow_pickle=False)
    files[name] = {"dtype": array.dtype.str, "shape": list(array.shape),
                   "bytes": path.stat().st_size, "crc32": file_crc32(path)}


def _swap_into_place(new: Path, target: Path) -> None:
    """Rename `new` to `target`; an existing store is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError as e:
        if old is not None:
            os.rename(old, target)
        raise DataError(f"cannot write the store at {target}: {e}") from e
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
