"""`nasdsl data nasbench101 --verify`: everything a store must hold, checked in full.

Opening a store already checks its description and the checksum of each array it uses;
verification also reads the arrays a run may never touch, recomputes every row's hash from
its spec, range-checks every metric and compares the counts `meta.json` states with the
arrays. Every problem is listed, not only the first.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.store import layout
from nasdsl.store.arrays import open_array
from nasdsl.store.content import Progress, content_problems
from nasdsl.store.meta_schema import check_meta, repair_advice
from nasdsl.store.nasbench101 import HOW_TO_IMPORT, read_meta
from nasdsl.store.paths import META_FILE, store_dir
from nasdsl.store.table import Table


@dataclass
class Verification:
    """What `verify_store` checked and found."""

    store: Path
    cells: int = 0
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    advice: str = ""

    @property
    def sound(self) -> bool:
        return not self.problems


def _open_files(data: str | os.PathLike | None
                ) -> tuple[Verification, dict[str, Any], dict[str, np.ndarray]]:
    path = store_dir(data)
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise DataError(f"no NAS-Bench-101 store at {path}; {HOW_TO_IMPORT}")
    meta = read_meta(meta_path)
    check_meta(meta, meta_path)
    out = Verification(path, cells=int(meta["cells"]), advice=repair_advice(meta))
    arrays: dict[str, np.ndarray] = {}
    for name, entry in meta["files"].items():
        try:
            arrays[name] = open_array(path / name, entry, out.advice, cached=False)
        except DamagedDataError as e:
            out.problems.append(str(e).split("; the store is damaged")[0])
            continue
        out.files += 1
        out.bytes += int(entry["bytes"])
    return out, meta, arrays


def check_files(data: str | os.PathLike | None = None) -> Verification:
    """The description and every file's size, checksum, dtype and shape (no content checks):
    fast enough for `--if-missing` to trust a store only after it."""
    return _open_files(data)[0]


def verify_store(data: str | os.PathLike | None = None,
                 progress: Progress | None = None) -> Verification:
    """Check a store in full; `Verification.problems` lists what is wrong. DataError when
    there is no store of this version, DamagedDataError when its description is damaged."""
    start = time.perf_counter()
    out, meta, arrays = _open_files(data)
    spec = (layout.HASHES, layout.ADJACENCY, layout.OPS, layout.NUM_VERTICES)
    if all(name in arrays for name in spec):
        hashes = arrays[layout.HASHES]
        if hashes.shape[0] > 1 and not bool((hashes[1:] > hashes[:-1]).all()):
            out.problems.append(f"{out.store / layout.HASHES}: hashes are not in strictly "
                                "increasing order")
        run = {n: arrays[i["file"]] for n, i in meta["metrics"].items()
               if i["per"] == "run" and i["file"] in arrays}
        cell = {n: arrays[i["file"]] for n, i in meta["metrics"].items()
                if i["per"] == "cell" and i["file"] in arrays}
        table = Table(hashes, arrays[layout.ADJACENCY], arrays[layout.OPS],
                      arrays[layout.NUM_VERTICES], list(meta["epochs"]), run, cell)
        out.problems += [f"{out.store}: {p}" for p in content_problems(table, progress)]
        out.problems += _count_problems(meta, run, cell, out.store)
    out.seconds = time.perf_counter() - start
    return out


def _count_problems(meta: dict[str, Any], run: dict[str, np.ndarray],
                    cell: dict[str, np.ndarray], store: Path) -> list[str]:
    """The counts `meta.json` states (runs and repeats per epoch budget, cells per cell
    metric) against the arrays: what the plan's data checks rely on."""
    problems = []
    where = store / META_FILE
    for name, values in run.items():
        info = meta["metrics"][name]
        present = ~np.isnan(np.asarray(values))
        for i, e in enumerate(meta["epochs"]):
            runs = int(present[:, i, :].sum())
            cols = np.flatnonzero(present[:, i, :].any(axis=0))
            repeats = int(cols[-1]) + 1 if cols.size else 0
            if runs != info["runs"][str(e)] or repeats != info["repeats"][str(e)]:
                problems.append(f"{where}: {name} at {e} epochs states {info['runs'][str(e)]:,} "
                                f"runs in {info['repeats'][str(e)]} repeat(s), the array holds "
                                f"{runs:,} in {repeats}")
    for name, values in cell.items():
        count = int(np.count_nonzero(~np.isnan(np.asarray(values, dtype=np.float64))))
        if count != meta["metrics"][name]["cells"]:
            problems.append(f"{where}: {name} states {meta['metrics'][name]['cells']:,} cells "
                            f"with a value, the array holds {count:,}")
    return problems
