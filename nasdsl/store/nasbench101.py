"""The NAS-Bench-101 store, opened read-only with memory-mapped arrays.

Opening reads `meta.json` and maps the hash column; metric arrays are mapped on first use.
Lookups binary-search the sorted hashes, one or many at once.
"""
from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store import layout
from nasdsl.store.paths import META_FILE, STORE_NAME, store_dir
from nasdsl.store.table import OP_STRINGS, PAD_LABEL

HOW_TO_IMPORT = ("import one with `nasdsl data nasbench101 --import FILE` (an official "
                 ".tfrecord or a table .npz) or `nasdsl data nasbench101 --download`")


def _missing(data: str | os.PathLike | None, path: Path) -> str:
    """Why there is no store, naming the folder the user gave (not only where it looked)."""
    if data is None:
        return f"no NAS-Bench-101 store at {path}; {HOW_TO_IMPORT}"
    given = Path(data).expanduser()
    how = HOW_TO_IMPORT.replace("--import FILE`", f"--import FILE --data {given}`").replace(
        "--download`", f"--download --data {given}`")
    if not given.exists():
        return f"no NAS-Bench-101 store: the data folder {given} does not exist; {how}"
    return (f"no NAS-Bench-101 store in {given} (neither {given / META_FILE} nor "
            f"{given / STORE_NAME / META_FILE} exists); {how}")


class NASBench101Store:
    """Read-only view of one store folder."""

    def __init__(self, path: Path, meta: dict[str, Any]):
        self.path = path
        self.meta = meta
        self.hashes: np.ndarray = self._map(layout.HASHES)
        self.epochs: tuple[int, ...] = tuple(meta["epochs"])
        self.repeats: int = int(meta["repeats"])
        self._metric_info: dict[str, dict[str, Any]] = meta["metrics"]
        self._arrays: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, data: str | os.PathLike | None = None) -> "NASBench101Store":
        """Open the store of a data folder (or a store folder); DataError says how to make one."""
        path = store_dir(data)
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise DataError(_missing(data, path))
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError) as e:
            raise DataError(f"{meta_path}: unreadable store description: {e}") from None
        if meta.get("format") != layout.FORMAT or meta.get("format_version") != layout.FORMAT_VERSION:
            raise DataError(f"{path}: store format {meta.get('format')!r} version "
                            f"{meta.get('format_version')!r} is not supported; import it again")
        return cls(path, meta)

    @staticmethod
    def exists(data: str | os.PathLike | None = None) -> bool:
        return (store_dir(data) / META_FILE).is_file()

    # --- what the store holds --------------------------------------------------------
    @property
    def cells(self) -> int:
        return int(self.meta["cells"])

    @property
    def metrics(self) -> tuple[str, ...]:
        return tuple(self._metric_info)

    def is_run_metric(self, name: str) -> bool:
        return self._metric_info[name]["per"] == "run"

    def epochs_with(self, name: str) -> tuple[int, ...]:
        """Epoch budgets at which `name` has data (all budgets for a cell metric)."""
        info = self._metric_info[name]
        if info["per"] == "cell":
            return self.epochs
        return tuple(int(e) for e, n in info["runs"].items() if n)

    def repeats_of(self, name: str, epochs: int) -> int:
        """How many repeats of `name` hold data at `epochs` (1 for a cell metric)."""
        info = self._metric_info[name]
        if info["per"] == "cell":
            return 1
        return int(info["repeats"].get(str(epochs), 0))

    # --- lookups ---------------------------------------------------------------------
    def row(self, module_hash: str | bytes) -> int:
        """Row of one hash, or -1 when the table does not hold it."""
        key = module_hash.encode("ascii") if isinstance(module_hash, str) else module_hash
        hashes = self.hashes
        i = int(hashes.searchsorted(key))
        return i if i < hashes.shape[0] and hashes[i] == key else -1

    def rows(self, module_hashes: Sequence[str | bytes] | np.ndarray) -> np.ndarray:
        """Rows of many hashes at once (-1 where absent)."""
        keys = np.asarray(module_hashes, dtype="S32")
        hashes = self.hashes
        idx = hashes.searchsorted(keys)
        clipped = np.minimum(idx, max(hashes.shape[0] - 1, 0))
        found = (idx < hashes.shape[0]) & (hashes[clipped] == keys)
        return np.where(found, idx, -1)

    def array(self, name: str) -> np.ndarray:
        """The metric's array: (cells, epochs, repeats) for a run metric, (cells,) for a cell one."""
        arr = self._arrays.get(name)
        if arr is None:
            if name not in self._metric_info:
                raise DataError(f"the NAS-Bench-101 store holds {', '.join(self.metrics)}; "
                                f"`{name}` is not among them")
            arr = self._arrays[name] = self._map(self._metric_info[name]["file"])
        return arr

    def spec(self, row: int) -> tuple[list[list[int]], list[str]]:
        """The canonical (pruned) matrix and op strings of a row."""
        v = int(self.num_vertices[row])
        matrix = self.adjacency[row, :v, :v].tolist()
        ops = [OP_STRINGS[int(l)] for l in self.labels[row, :v] if l != PAD_LABEL]
        return matrix, ops

    @cached_property
    def adjacency(self) -> np.ndarray:
        return self._map(layout.ADJACENCY)

    @cached_property
    def labels(self) -> np.ndarray:
        return self._map(layout.OPS)

    @cached_property
    def num_vertices(self) -> np.ndarray:
        return self._map(layout.NUM_VERTICES)

    def _map(self, name: str) -> np.ndarray:
        try:
            return np.load(self.path / name, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as e:
            raise DataError(f"{self.path / name}: damaged store ({e}); import it again") from None
