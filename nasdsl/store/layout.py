"""The store's layout on disk: file names and the `meta.json` schema (format version 2).

    <data>/nasbench101/
        meta.json                   what the store holds (see `write_store`), each file's
                                    dtype, shape, size and CRC-32, and its own SHA-256
        hashes.npy                  S32 (N,), sorted: binary-searched
        adjacency.npy               uint8 (N, 7, 7)
        ops.npy                     int8 (N, 7): hashing labels, -3 = unused
        num_vertices.npy            int8 (N,)
        run.<metric>.npy            (N, epochs, repeats), NaN where absent
        cell.<metric>.npy           (N,)

Every array opens with `mmap_mode='r'` once its size, checksum, dtype and shape match
`meta.json` (`arrays.open_array`); only pages touched by queries stay resident. Format 1 had
no checksums and is refused with the command that imports it again.
"""
from __future__ import annotations

FORMAT = "nasdsl-nasbench101"
FORMAT_VERSION = 2
HASHES = "hashes.npy"
ADJACENCY = "adjacency.npy"
OPS = "ops.npy"
NUM_VERTICES = "num_vertices.npy"


def run_file(metric: str) -> str:
    return f"run.{metric}.npy"


def cell_file(metric: str) -> str:
    return f"cell.{metric}.npy"
