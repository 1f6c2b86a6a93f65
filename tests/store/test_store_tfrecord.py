"""TFRecord framing and CRC-32C, checked against published check values and by damaging
real files."""
from __future__ import annotations

import struct

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.store import crc32c as crc
from nasdsl.store.tfrecord import read_records, write_records


def test_crc32c_matches_the_published_check_values():
    # RFC 3720 / iSCSI check values
    assert crc.crc32c(b"123456789") == 0xE3069283
    assert crc.crc32c(b"\x00" * 32) == 0x8A9136AA
    assert crc.crc32c(b"\xff" * 32) == 0x62A8AB43


def test_numpy_crc_agrees_with_the_byte_loop_for_mixed_lengths():
    rng = np.random.default_rng(1)
    buffers = [rng.bytes(int(n)) for n in rng.integers(0, 300, size=50)] + [b""]
    got = crc._crc32c_numpy(buffers)
    for b, c in zip(buffers, got):
        expected = 0xFFFFFFFF
        for byte in b:
            expected = crc._TABLE_LIST[(expected ^ byte) & 0xFF] ^ (expected >> 8)
        assert int(c) == expected ^ 0xFFFFFFFF


def test_records_round_trip_with_framing_laid_out_as_specified(tmp_path):
    path = tmp_path / "r.tfrecord"
    records = [b"", b"a", b"hello world" * 100]
    assert write_records(path, records) == 3
    raw = path.read_bytes()
    length, length_crc = struct.unpack_from("<QI", raw, 0)
    assert length == 0 and length_crc == crc.mask(crc.crc32c(raw[:8]))
    assert len(raw) == sum(16 + len(r) for r in records)
    assert list(read_records(path, batch=2)) == records


def test_a_flipped_data_byte_is_refused_naming_the_record(tmp_path):
    path = tmp_path / "r.tfrecord"
    write_records(path, [b"first", b"second record"])
    raw = bytearray(path.read_bytes())
    raw[16 + 5 + 12 + 3] ^= 0x01  # inside the data of record 1
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="record 1 .*checksum"):
        list(read_records(path))


def test_a_truncated_file_is_refused(tmp_path):
    path = tmp_path / "r.tfrecord"
    write_records(path, [b"first", b"second record"])
    path.write_bytes(path.read_bytes()[:-6])
    with pytest.raises(DataError, match="truncated record 1"):
        list(read_records(path))


def test_a_file_that_is_not_a_tfrecord_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is plainly text and not a record stream at all")
    with pytest.raises(DataError, match="corrupt length of record 0"):
        list(read_records(path))
