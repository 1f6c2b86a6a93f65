"""The store's layout on disk: file names and the `meta.json` schema (format version 2).

    <data>/nasbench101/
        meta.json                   what the store holds (see `write_store`)
        hashes.npy                  S32 (N,), sorted: binary-searched
        adjacency.npy               uint8 (N, 7, 7)
        ops.npy                     int8 (N, 7): hashing labels, -3 = unused
        num_vertices.npy            int8 (N,)
        run.<metric>.npy            (N, epochs, repeats), NaN where absent
        cell.<metric>.npy           (N,)

Every array opens with `mmap_mode='r'`: loading is instant and only pages touched by
queries become resident.
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
