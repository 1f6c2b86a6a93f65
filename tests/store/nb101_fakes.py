"""Test-side writers of the official NAS-Bench-101 file format: an independent protobuf
encoder and random genuine cells (hashed with the benchmark's algorithm), so imports are
checked against data the importer did not produce."""
from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nasdsl.store.tfrecord import write_records
from nb101_specs import genuine_specs


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_double(number: int, value: float) -> bytes:
    return varint(number << 3 | 1) + struct.pack("<d", value)


def field_bytes(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_varint(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def encode_evaluation(epoch: float, time: float, train: float, valid: float, test: float,
                      path: str = "") -> bytes:
    msg = (field_double(1, epoch) + field_double(2, time) + field_double(3, train)
           + field_double(4, valid) + field_double(5, test))
    if path:
        msg += field_bytes(6, path.encode())
    return msg


def encode_model_metrics(evaluations: list[bytes], params: int, total_time: float) -> bytes:
    msg = b"".join(field_bytes(1, e) for e in evaluations)
    return msg + field_varint(2, params) + field_double(3, total_time)


@dataclass
class FakeCell:
    hash: str
    matrix: np.ndarray
    ops: list[str]
    params: int


def random_cells(count: int, seed: int = 0) -> list[FakeCell]:
    """Distinct genuine cells of the space (pruned, <= 7 vertices, <= 9 edges)."""
    params = np.random.default_rng(seed + 1).integers(1e5, 5e7, size=count).tolist()
    return [FakeCell(h, np.array(m), ops, p)
            for (h, m, ops), p in zip(genuine_specs(count, seed), params)]


def run_values(cell_index: int, epochs: int, repeat: int) -> dict[str, float]:
    """Distinct, float32-exact values per run, so a mix-up of runs cannot go unnoticed."""
    base = (cell_index * 1000 + epochs * 10 + repeat) / 2 ** 20
    return {"train_accuracy": 0.5 + base, "validation_accuracy": 0.25 + base,
            "test_accuracy": 0.125 + base, "training_time": 100.0 + cell_index + epochs * 3.5 + repeat / 8}


def official_record(cell: FakeCell, epochs: int, values: dict[str, float]) -> bytes:
    half = encode_evaluation(epochs / 2, values["training_time"] / 2, 0.1, 0.1, 0.1)
    final = encode_evaluation(epochs, values["training_time"], values["train_accuracy"],
                              values["validation_accuracy"], values["test_accuracy"], "ckpt")
    metrics = encode_model_metrics([encode_evaluation(0, 0, 0.1, 0.1, 0.1), half, final],
                                   cell.params, values["training_time"] + 60)
    adjacency = "".join(str(int(v)) for v in cell.matrix.flatten())
    return json.dumps([cell.hash, epochs, adjacency, ",".join(cell.ops),
                       base64.b64encode(metrics).decode()]).encode()


def write_official(path: Path, cells: list[FakeCell], epochs=(4, 108), repeats: int = 3) -> int:
    """Write records in the official layout; returns how many. Records are interleaved
    (by repeat, then epochs, then cell) as runs are not grouped by cell in real files."""
    records = [official_record(c, e, run_values(i, e, r))
               for r in range(repeats) for e in epochs for i, c in enumerate(cells)]
    return write_records(path, records)
