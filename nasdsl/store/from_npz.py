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
from pathlib import Path

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store.table import (CELL_METRICS, LABELS, MAX_VERTICES, PAD_LABEL, RUN_METRICS,
                                Table)

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
    if head not in (b"PK\x03\x04", b"PK\x05\x06"):  # a zip's first entry, or an empty zip
        raise DataError(f"{path}: not a .npz table (a .npz is a zip archive of .npy arrays, "
                        "as numpy.savez writes; this file does not start like one)")


def read_npz(path: Path) -> tuple[Table, list[str]]:
    """The table and notes for the user (columns ignored)."""
    _require_zip(path)
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable .npz table: {e}") from None
    with z:
        for key in ("hash", "adjacency", "ops"):
            if key not in z.files:
                raise DataError(f"{path}: no `{key}` array; a table needs hash, adjacency, ops "
                                f"(it has {', '.join(sorted(z.files))})")
        hashes = _hashes(z["hash"], path)
        adjacency, labels, num_vertices = _specs(z, path)
        run_columns, cell_metrics, notes = _metric_columns(z)
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


def _hashes(raw: np.ndarray, path: Path) -> np.ndarray:
    if raw.dtype.kind == "U":
        raw = np.char.encode(raw, "ascii")
    if raw.dtype.kind != "S" or raw.ndim != 1:
        raise DataError(f"{path}: `hash` must be a 1-d array of 32-hex strings, got {raw.dtype}")
    hashes = np.char.lower(raw).astype("S32")
    if hashes.size and int(np.char.str_len(raw).min()) != 32:
        raise DataError(f"{path}: `hash` entries must be 32 hex characters")
    return hashes


def _specs(z, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    adj = np.asarray(z["adjacency"])
    ops = np.asarray(z["ops"])
    n = adj.shape[0]
    v = adj.shape[1] if adj.ndim == 3 else 0
    if adj.ndim != 3 or adj.shape[2] != v or v > MAX_VERTICES or ops.shape != (n, v):
        raise DataError(f"{path}: `adjacency` must be (N, V, V) and `ops` (N, V) with V <= 7; "
                        f"got {adj.shape} and {ops.shape}")
    adjacency = np.zeros((n, MAX_VERTICES, MAX_VERTICES), dtype=np.uint8)
    adjacency[:, :v, :v] = adj
    labels = np.full((n, MAX_VERTICES), PAD_LABEL, dtype=np.int8)
    labels[:, :v] = _labels(ops, z, path)
    if "num_vertices" in z.files:
        num_vertices = np.asarray(z["num_vertices"]).astype(np.int8)
    else:
        num_vertices = np.count_nonzero(labels != PAD_LABEL, axis=1).astype(np.int8)
    return adjacency, labels, num_vertices


def _labels(ops: np.ndarray, z, path: Path) -> np.ndarray:
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
    out = ops.astype(np.int8)
    if "op_names" in z.files:
        names = [str(s) for s in z["op_names"]]
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


def _metric_columns(z) -> tuple[dict, dict[str, np.ndarray], list[str]]:
    run: dict[tuple[str, int], tuple[int, int, np.ndarray]] = {}
    cell: dict[str, np.ndarray] = {}
    notes: list[str] = []
    for key in z.files:
        if key in _SPEC_KEYS:
            continue
        if key in _CELL_ALIASES:
            cell[_CELL_ALIASES[key]] = np.asarray(z[key])
            continue
        m = _RUN_COLUMN.match(key)
        if m and m["m"] in RUN_METRICS:
            epochs = int(m["e"]) if m["e"] else DEFAULT_EPOCHS
            repeat = int(m["r"]) if m["r"] else 0
            run[(m["m"], len(run))] = (epochs, repeat, np.asarray(z[key], dtype=np.float64))
            continue
        notes.append(f"column `{key}` is not a known metric and was not imported "
                     f"(known: {', '.join(RUN_METRICS + CELL_METRICS)})")
    return run, cell, notes
