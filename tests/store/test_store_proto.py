"""The ModelMetrics decoder against messages built by the test-side encoder."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nasdsl.errors import DataError
from nasdsl.store.metrics_proto import decode_model_metrics
from nb101_fakes import (encode_evaluation, encode_model_metrics, field_bytes, field_double,
                         field_varint, varint)

floats = st.floats(allow_nan=False, allow_infinity=False)


@given(st.lists(st.tuples(floats, floats, floats, floats, floats), max_size=4),
       st.integers(0, 2**31 - 1), floats)
def test_decoded_fields_equal_the_encoded_ones(evals, params, total):
    msg = encode_model_metrics([encode_evaluation(*e) for e in evals], params, total)
    got = decode_model_metrics(msg)
    assert got.trainable_parameters == params
    assert got.total_time == total
    assert [(e.current_epoch, e.training_time, e.train_accuracy, e.validation_accuracy,
             e.test_accuracy) for e in got.evaluation_data] == evals


def test_unknown_fields_are_skipped_and_absent_ones_are_none():
    ev = field_double(5, 0.75) + field_varint(99, 7) + field_bytes(6, b"ckpt-1")
    msg = field_bytes(1, ev) + field_bytes(42, b"future") + field_double(77, 1.0)
    got = decode_model_metrics(msg)
    assert got.trainable_parameters is None and got.total_time is None
    (e,) = got.evaluation_data
    assert e.test_accuracy == 0.75 and e.validation_accuracy is None
    assert e.checkpoint_path == "ckpt-1"


def test_negative_int32_uses_ten_byte_varints():
    assert len(varint(-5)) == 10
    assert decode_model_metrics(field_varint(2, -5)).trainable_parameters == -5


@pytest.mark.parametrize("msg", [b"\x0a\x10\x09", b"\x11\x00\x00", b"\x0b", b"\x80" * 11])
def test_malformed_messages_raise_data_error(msg):
    with pytest.raises(DataError, match="malformed ModelMetrics"):
        decode_model_metrics(msg)
