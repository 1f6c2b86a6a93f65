"""The NAS-Bench-101 store, opened read-only with memory-mapped arrays.

Opening reads and checks `meta.json` and maps the hash column; metric arrays are mapped on
first use. Every array is verified before its first use (size, CRC-32, dtype, shape: see
`arrays.open_array`), and the hashes are checked to be sorted, so a damaged store stops
with the damaged file named instead of answering. Lookups binary-search the sorted hashes,
one or many at once.
"""
from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.store import layout
from nasdsl.store.arrays import Check, open_array
from nasdsl.store.checksum import content_digest
from nasdsl.store.meta_schema import check_meta, repair_advice
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

    def __init__(self, path: Path, meta: dict[str, Any], verify: bool = True):
        """`meta` must have passed `check_meta`; `verify=False` skips the checksums (for
        benchmarks measuring what verification costs)."""
        self.path = path
        self.meta = meta
        self._verify = verify
        self._advice = repair_advice(meta)
        self.hashes: np.ndarray = self._map(layout.HASHES, check=_sorted_problem)
        self.epochs: tuple[int, ...] = tuple(meta["epochs"])
        self.repeats: int = int(meta["repeats"])
        self._metric_info: dict[str, dict[str, Any]] = meta["metrics"]
        self._arrays: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, data: str | os.PathLike | None = None,
             verify: bool = True) -> "NASBench101Store":
        """Open the store of a data folder (or a store folder); DataError says how to make
        one, DamagedDataError names a damaged file."""
        path = store_dir(data)
        meta_path = path / META_FILE
        if not meta_path.is_file():
            raise DataError(_missing(data, path))
        meta = read_meta(meta_path)
        check_meta(meta, meta_path)
        return cls(path, meta, verify=verify)

    @property
    def identity(self) -> dict[str, Any]:
        """Which table this store holds (its content digest) and where it came from: kept
        with each run, so a run is never continued on, or compared with, another table."""
        source = self.meta.get("source") or {}
        return {"kind": "nasbench101", "id": content_digest(self.meta),
                "source": source.get("file"), "imported": self.meta.get("imported")}

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

    def _map(self, name: str, check: Check | None = None) -> np.ndarray:
        return open_array(self.path / name, self.meta["files"][name], self._advice,
                          verify=self._verify, check=check)


def _sorted_problem(hashes: np.ndarray) -> str | None:
    """Lookups binary-search the hashes: they must be strictly increasing."""
    if hashes.shape[0] > 1 and not bool((hashes[1:] > hashes[:-1]).all()):
        return "hashes are not in strictly increasing order"
    return None


def read_meta(meta_path: Path) -> Any:
    """The parsed `meta.json` (not yet checked); DamagedDataError when it is not JSON."""
    try:
        return json.loads(meta_path.read_bytes())
    except OSError as e:
        raise DataError(f"{meta_path}: cannot be read ({e.strerror or e})") from None
    except (ValueError, RecursionError) as e:
        raise DamagedDataError(f"{meta_path}: not valid JSON ({e}); the store is damaged, "
                               f"{repair_advice(None)}") from None
