"""TFRecord files without TensorFlow.

Each record is framed as: u64 length (little endian), u32 masked CRC-32C of those 8 bytes,
the data, u32 masked CRC-32C of the data. Both checksums are verified; a short or corrupt
file raises DataError naming the record and byte offset.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store.crc32c import crc32c_many, masked_crc32c

_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
_MAX_RECORD = 1 << 30  # a length beyond this is a corrupt header, not a record


def write_records(path: str | os.PathLike, records: Iterable[bytes]) -> int:
    """Write records in TFRecord framing; returns how many were written."""
    count = 0
    with open(path, "wb") as f:
        for data in records:
            header = struct.pack("<Q", len(data))
            f.write(header)
            f.write(_FOOTER.pack(masked_crc32c(header)))
            f.write(data)
            f.write(_FOOTER.pack(masked_crc32c(data)))
            count += 1
    return count


def read_records(path: str | os.PathLike, batch: int = 4096) -> Iterator[bytes]:
    """Yield each record's data in file order, checksums verified in batches."""
    for chunk in read_batches(path, batch):
        yield from chunk


def read_batches(path: str | os.PathLike, batch: int = 4096) -> Iterator[list[bytes]]:
    """Yield lists of up to `batch` verified records (checksumming many at once is faster)."""
    path = Path(path)
    with open(path, "rb") as f:
        index = 0
        while True:
            framed = _read_framed(f, path, index, batch)
            if not framed:
                return
            _verify(framed, path, index)
            yield [data for data, _, _ in framed]
            index += len(framed)


def _read_framed(f: BinaryIO, path: Path, first: int,
                 batch: int) -> list[tuple[bytes, int, int]]:
    out: list[tuple[bytes, int, int]] = []
    while len(out) < batch:
        offset = f.tell()
        head = f.read(_HEADER.size)
        if not head:
            break
        index = first + len(out)
        if len(head) < _HEADER.size:
            raise DataError(f"{path}: truncated record header at record {index} "
                            f"(byte {offset}); the file is incomplete")
        length, length_crc = _HEADER.unpack(head)
        if masked_crc32c(head[:8]) != length_crc or length > _MAX_RECORD:
            raise DataError(f"{path}: corrupt length of record {index} (byte {offset}): "
                            "checksum mismatch; not a TFRecord file or a damaged one")
        data = f.read(length)
        foot = f.read(_FOOTER.size)
        if len(data) < length or len(foot) < _FOOTER.size:
            raise DataError(f"{path}: truncated record {index} (byte {offset}): expected "
                            f"{length} bytes of data; the file is incomplete")
        out.append((data, _FOOTER.unpack(foot)[0], offset))
    return out


def _verify(framed: list[tuple[bytes, int, int]], path: Path, first: int) -> None:
    crcs = crc32c_many([data for data, _, _ in framed])
    expected = np.fromiter((c for _, c, _ in framed), dtype=np.uint32, count=len(framed))
    masked = _mask_many(crcs)
    bad = np.flatnonzero(masked != expected)
    if bad.size:
        i = int(bad[0])
        raise DataError(f"{path}: record {first + i} (byte {framed[i][2]}) fails its data "
                        "checksum; the file is damaged")


def _mask_many(crcs: np.ndarray) -> np.ndarray:
    c = crcs.astype(np.uint64)
    rotated = ((c >> np.uint64(15)) | (c << np.uint64(17))) & np.uint64(0xFFFFFFFF)
    return ((rotated + np.uint64(0xA282EAD8)) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


__all__ = ["read_records", "read_batches", "write_records"]
