"""Decoder for the `ModelMetrics` protobuf of NAS-Bench-101 records (see model_metrics.proto).

A small reader of the protobuf wire format (varints, fixed 64/32-bit, length-delimited), so
importing the official files needs neither protobuf nor TensorFlow. Unknown fields are
skipped, as protobuf itself does; absent optional fields are None.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field

from nasdsl.errors import DataError

_DOUBLE = struct.Struct("<d")
_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5
_EVAL_FIELDS = {1: "current_epoch", 2: "training_time", 3: "train_accuracy",
                4: "validation_accuracy", 5: "test_accuracy"}


@dataclass
class EvaluationData:
    """Metrics at one checkpoint of one training run."""

    current_epoch: float | None = None
    training_time: float | None = None
    train_accuracy: float | None = None
    validation_accuracy: float | None = None
    test_accuracy: float | None = None
    checkpoint_path: str | None = None


@dataclass
class ModelMetrics:
    """One training run: its checkpoints and the fixed facts of the network."""

    evaluation_data: list[EvaluationData] = field(default_factory=list)
    trainable_parameters: int | None = None
    total_time: float | None = None


def decode_model_metrics(buf: bytes) -> ModelMetrics:
    """Decode a serialized `ModelMetrics` message; DataError when it is malformed."""
    out = ModelMetrics()
    try:
        for number, wire, value in _fields(buf):
            if number == 1 and wire == _BYTES:
                out.evaluation_data.append(_decode_evaluation(value))
            elif number == 2 and wire == _VARINT:
                out.trainable_parameters = _int32(value)
            elif number == 3 and wire == _FIXED64:
                out.total_time = _DOUBLE.unpack(value)[0]
    except (IndexError, struct.error, UnicodeDecodeError) as e:
        raise DataError(f"malformed ModelMetrics message: {e}") from None
    return out


def _decode_evaluation(buf: bytes) -> EvaluationData:
    out = EvaluationData()
    for number, wire, value in _fields(buf):
        name = _EVAL_FIELDS.get(number)
        if name is not None and wire == _FIXED64:
            setattr(out, name, _DOUBLE.unpack(value)[0])
        elif number == 6 and wire == _BYTES:
            out.checkpoint_path = value.decode("utf-8")
    return out


def _fields(buf: bytes):
    """Yield (field number, wire type, raw value) for each field of a message."""
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, pos = _varint(buf, pos)
        elif wire == _FIXED64:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == _BYTES:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire == _FIXED32:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise DataError(f"malformed ModelMetrics message: wire type {wire} at byte {pos}")
        if pos > end:
            raise DataError("malformed ModelMetrics message: truncated field")
        yield number, wire, value


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DataError("malformed ModelMetrics message: varint too long")


def _int32(value: int) -> int:
    """int32 fields encode negatives as 10-byte two's complement varints."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= 1 << 63 else value
