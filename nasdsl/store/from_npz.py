"""Read a table `.npz` (such as the shared `nb101_test_r0.npz`) into a Table.

Required arrays: `hash` (32-hex bytes or str), `adjacency` (N,V,V), `ops` (N,V) as hashing
labels (with `op_names` giving the op string of labels 0, 1, 2 when present) or op strings.
`num_vertices` is optional. Metric columns, every one optional:

- `<metric>`, `<metric>_r<k>`, `<metric>_e<E>_r<k>` for a run metric (validation_accuracy,
  test_accuracy, train_accuracy, training_time): repeat k (default 0) at E epochs
  (default 108);
- `trainable_parameters`, `flops` (or `flops_thop`) for cell metrics.

Other arrays are ignored and named in the import's notes, so nothing is guessed silently.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from nasdsl.errors import DataError
from nasdsl.nasbench101 import MAX_VERTICES
from nasdsl.store.table import CELL_METRICS, LABELS, PAD_LABEL, RUN_METRICS, Table
from nasdsl.wording import count

_RUN_COLUMN = re.compile(r"^(?P<m>[a-z_]+?)(?:_e(?P<e>\d+))?(?:_r(?P<r>\d+))?$")
_CELL_ALIASES = {"trainable_parameters": "trainable_parameters", "flops": "flops",
                 "flops_thop": "flops"}
_SPEC_KEYS = {"hash", "adjacency", "ops", "num_vertices", "op_names"}
DEFAULT_EPOCHS = 108


def _require_zip(path: Path) -> None:
    """A `.npz` is a zip archive; anything else is refused as such, before numpy would guess
    at other formats (and suggest loading pickles)."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as e:
        raise DataError(f"{path}: cannot read: {e.strerror or e}") from None
    if head == b"\x93NUM":  # numpy.save's magic: one array, not a table
        raise DataError(f"{path}: a single array (.npy), not an .npz table of named columns")
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip's first entry, or an empty zip
        raise DataError(f"{path}: not a .npz table (a .npz is a zip archive of .npy arrays, "
                        "as numpy.savez writes; this file does not start like one)")


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError,
                RuntimeError)
"""What numpy and zipfile raise for a truncated, corrupt or foreign file."""


def read_npz(path: Path) -> tuple[Table, list[str]]:
    """The table and notes for the user (columns ignored); DataError for a file that is not
    a whole, readable table."""
    _require_zip(path)
    try:
        z = np.load(path, allow_pickle=False)
    except _READ_ERRORS as e:
        raise DataError(f"{path}: not a readable .npz table ({_why(e)}); the file is "
                        "truncated, corrupt or of another kind") from None
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise DataError(f"{path}: a single array, not an .npz table of named columns")
    with z:
        arrays = _Arrays(z, path)
        for key in ("hash", "adjacency", "ops"):
            if key not in z.files:
                raise DataError(f"{path}: no `{key}` array; a table needs hash, adjacency, ops "
                                f"(it has {', '.join(sorted(z.files)) or 'no arrays'})")
        hashes = _hashes(arrays["hash"], path)
        if hashes.shape[0] == 0:
            raise DataError(f"{path}: the table has no rows")
        adjacency, labels, num_vertices = _specs(arrays, path)
        if adjacency.shape[0] != hashes.shape[0]:
            raise DataError(f"{path}: `adjacency` has {adjacency.shape[0]:,} rows, `hash` "
                            f"{hashes.shape[0]:,}; every column needs one row per cell")
        run_columns, cell_metrics, notes = _metric_columns(arrays, hashes.shape[0])
    n = hashes.shape[0]
    epochs = sorted({e for e, _, _ in run_columns.values()})
    run_metrics: dict[str, np.ndarray] = {}
    for metric in RUN_METRICS:
        cols = {k: v for k, v in run_columns.items() if k[0] == metric}
        if not cols:
            continue
        r = max(rep for _, rep, _ in cols.values()) + 1
        dtype = np.float64 if metric == "training_time" else np.float32
        grid = np.full((n, len(epochs), r), np.nan, dtype=dtype)
        for (_, _), (e, rep, values) in cols.items():
            grid[:, epochs.index(e), rep] = values
        run_metrics[metric] = grid
    table = Table(hashes, adjacency, labels, num_vertices, epochs, run_metrics, cell_metrics)
    table.check()
    table.sort()
    return table, notes


def _why(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


class _Arrays:
    """The members of an open .npz, each read with a clear refusal when it cannot be."""

    def __init__(self, z: np.lib.npyio.NpzFile, path: Path):
        self._z = z
        self._path = path
        self.files = z.files

    def __contains__(self, key: str) -> bool:
        return key in self._z.files

    def __getitem__(self, key: str) -> np.ndarray:
        try:
            return np.asarray(self._z[key])
        except _READ_ERRORS as e:
            raise DataError(f"{self._path}: cannot read array `{key}` ({_why(e)}); the file "
                            "is truncated or corrupt") from None


def _hashes(raw: np.ndarray, path: Path) -> np.ndarray:
    if raw.dtype.kind == "U":
        try:
            raw = np.char.encode(raw, "ascii")
        except UnicodeError:
            raise DataError(f"{path}: `hash` holds characters that are not hex digits") from None
    if raw.dtype.kind != "S" or raw.ndim != 1:
        raise DataError(f"{path}: `hash` must be a 1-d array of 32-hex strings, got "
                        f"{raw.dtype} {raw.shape}")
    if raw.size and not (np.char.str_len(raw) == 32).all():
        raise DataError(f"{path}: `hash` entries must be 32 hex characters")
    return np.char.lower(raw).astype("S32")


def _integers(values: np.ndarray, key: str, low: int, high: int, path: Path) -> np.ndarray:
    """`values` as int64 once every one is an integer in low..high (no silent wrap-around)."""
    if values.dtype.kind == "b":
        values = values.astype(np.int64)
    if values.dtype.kind == "f" and values.size and np.isfinite(values).all() \
            and (values == np.round(values)).all():
        values = values.astype(np.int64)
    if values.dtype.kind not in "iu":
        raise DataError(f"{path}: `{key}` must hold integers, got {values.dtype}")
    if values.size and (values.min() < low or values.max() > high):
        raise DataError(f"{path}: `{key}` holds values outside {low}..{high} "
                        f"(found {values.min()}..{values.max()})")
    return values.astype(np.int64)


def _specs(z: _Arrays, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    adj = z["adjacency"]
    ops = z["ops"]
    n = adj.shape[0] if adj.ndim else 0
    v = adj.shape[1] if adj.ndim == 3 else 0
    if adj.ndim != 3 or adj.shape[2] != v or v > MAX_VERTICES or ops.shape != (n, v):
        raise DataError(f"{path}: `adjacency` must be (N, V, V) and `ops` (N, V) with V <= 7; "
                        f"got {adj.shape} and {ops.shape}")
    adjacency = np.zeros((n, MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
    adjacency[:, :v, :v] = _integers(adj, "adjacency", 0, 1, path)
    labels = np.full((n, MAX_VERTICES), PAD_LABEL, dtype=np.int8)
    labels[:, :v] = _labels(ops, z, path)
    if "num_vertices" in z:
        raw = z["num_vertices"]
        if raw.shape != (n,):
            raise DataError(f"{path}: `num_vertices` is shaped {raw.shape}, the table has "
                            f"{n:,} cells")
        num_vertices = _integers(raw, "num_vertices", 2, MAX_VERTICES, path).astype(np.int8)
    else:
        num_vertices = np.count_nonzero(labels != PAD_LABEL, axis=1).astype(np.int8)
    return adjacency, labels, num_vertices


def _labels(ops: np.ndarray, z: _Arrays, path: Path) -> np.ndarray:
    """Hashing labels from integer labels (remapped through `op_names`) or op strings."""
    if ops.dtype.kind in "US":
        strings = ops.astype(str)
        out = np.full(ops.shape, PAD_LABEL, dtype=np.int8)
        for name, label in LABELS.items():
            out[strings == name] = label
        unknown = set(np.unique(strings[(out == PAD_LABEL) & (strings != "")]))
        if unknown:
            raise DataError(f"{path}: unknown operations {sorted(unknown)}")
        return out
    out = _integers(ops, "ops", -3, 127, path).astype(np.int8)
    if "op_names" in z:
        names = [str(s) for s in z["op_names"].reshape(-1)]
        try:
            remap = {i: LABELS[name] for i, name in enumerate(names)}
        except KeyError as e:
            raise DataError(f"{path}: unknown operation {e.args[0]!r} in op_names") from None
        src = out.copy()
        for i, label in remap.items():
            out[src == i] = label
    bad = ~np.isin(out, [-3, -2, -1, 0, 1, 2])
    if bad.any():
        raise DataError(f"{path}: `ops` holds labels outside -3..2: {sorted(set(out[bad]))}")
    return out


MAX_REPEATS = 100


def _metric_columns(z: _Arrays, n: int) -> tuple[dict, dict[str, np.ndarray], list[str]]:
    run: dict[tuple[str, int], tuple[int, int, np.ndarray]] = {}
    cell: dict[str, np.ndarray] = {}
    notes: list[str] = []
    seen: dict[tuple[str, int, int], str] = {}
    for key in z.files:
        if key in _SPEC_KEYS:
            continue
        m = _RUN_COLUMN.match(key)
        is_run = bool(m and m["m"] in RUN_METRICS)
        if key not in _CELL_ALIASES and not is_run:
            z[key]  # read all the same: a damaged member (or name) is refused, not skipped
            notes.append(f"column `{key}` is not a known metric and was not imported "
                         f"(known: {', '.join(RUN_METRICS + CELL_METRICS)})")
            continue
        values = z[key]
        if values.shape != (n,):
            raise DataError(f"{z._path}: column `{key}` is shaped {values.shape}, the table "
                            f"has {n:,} cells; every column needs one value per cell")
        if values.dtype.kind not in "biuf":
            raise DataError(f"{z._path}: column `{key}` holds {values.dtype}, not numbers")
        if key in _CELL_ALIASES:
            name = _CELL_ALIASES[key]
            if name in cell:
                raise DataError(f"{z._path}: two columns give {name}; keep one")
            cell[name] = values.astype(np.float64 if values.dtype.kind == "f" else np.int64)
            continue
        epochs = int(m["e"]) if m["e"] else DEFAULT_EPOCHS
        repeat = int(m["r"]) if m["r"] else 0
        if epochs < 1 or repeat >= MAX_REPEATS:
            raise DataError(f"{z._path}: column `{key}`: epochs must be positive and the "
                            f"repeat below {MAX_REPEATS}")
        other = seen.setdefault((m["m"], epochs, repeat), key)
        if other != key:
            raise DataError(f"{z._path}: columns `{other}` and `{key}` both give {m['m']} at "
                            f"{count(epochs, 'epoch')}, repeat {repeat}; keep one")
        run[(m["m"], len(run))] = (epochs, repeat, values.astype(np.float64))
    return run, cell, notes
