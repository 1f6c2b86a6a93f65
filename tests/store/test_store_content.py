"""Imports check content, not only format: every row's hash is recomputed from its spec,
metrics are range-checked, and a truncated, corrupt, empty or short table is refused with a
sentence naming the file — never a traceback, never a store built from it."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nasdsl.errors import DataError
from nasdsl.store.importer import import_file
from nasdsl.store.nasbench101 import NASBench101Store
from nb101_fakes import random_cells, write_official
from nb101_small import table_columns, write_table


def _refused(path: Path, data: Path, match: str) -> str:
    with pytest.raises(DataError, match=match) as info:
        import_file(path, data)
    message = str(info.value)
    assert str(path) in message
    assert not (data / "nasbench101").exists()  # nothing was built from it
    return message


def test_a_sound_table_imports(tmp_path):
    write_table(tmp_path / "t.npz")
    store = NASBench101Store.open(import_file(tmp_path / "t.npz", tmp_path).store)
    columns = table_columns()
    row = store.row(columns["hash"][5])
    assert store.array("test_accuracy")[row, 1, 1] == np.float32(columns["test_accuracy_e108_r1"][5])


def test_a_hash_column_shifted_by_one_row_is_refused(tmp_path):
    shifted = np.roll(table_columns()["hash"], 1)
    message = _refused(write_table(tmp_path / "t.npz", hash=shifted), tmp_path,
                       "not the hash of their spec")
    assert "60 of 60 rows" in message


def test_one_wrong_hash_is_found(tmp_path):
    hashes = table_columns()["hash"].copy()
    hashes[17] = "0" * 32
    message = _refused(write_table(tmp_path / "t.npz", hash=hashes), tmp_path,
                       "1 of 60 rows hold a hash")
    assert "00000000000000000000000000000000 recorded" in message


@pytest.mark.parametrize("column, value, words", [
    ("test_accuracy_e108_r0", 2.0, "outside 0..1"),
    ("validation_accuracy_e12_r1", -0.1, "outside 0..1"),
    ("test_accuracy_e108_r0", np.inf, "infinite"),
    ("training_time_e108_r0", -5.0, "outside 0 or more"),
    ("trainable_parameters", -1, "outside 0 or more"),
])
def test_metrics_out_of_range_are_refused(tmp_path, column, value, words):
    values = table_columns()[column].copy()
    values[3] = value
    message = _refused(write_table(tmp_path / "t.npz", **{column: values}), tmp_path, words)
    assert "row" in message


def test_accuracies_as_percentages_are_refused(tmp_path):
    column = table_columns()["test_accuracy_e108_r0"] * 100
    _refused(write_table(tmp_path / "t.npz", test_accuracy_e108_r0=column), tmp_path,
             "60 of 60 rows hold values outside 0..1 .a fraction, not a percentage")


def test_missing_values_are_allowed(tmp_path):
    column = table_columns()["test_accuracy_e108_r0"].copy()
    column[:10] = np.nan
    import_file(write_table(tmp_path / "t.npz", test_accuracy_e108_r0=column), tmp_path)


@pytest.mark.parametrize("damage, match", [
    ("truncate", "not a readable .npz table|cannot read array"),
    ("empty file", "not a (readable )?.npz table"),
    ("flip", "not a readable .npz table|cannot read array"),
])
def test_a_truncated_corrupt_or_empty_file_is_refused(tmp_path, damage, match):
    path = tmp_path / "t.npz"
    np.savez_compressed(path, **table_columns())
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) * 2 // 3]
    elif damage == "empty file":
        raw = bytearray()
    else:
        for i in range(len(raw) // 3, len(raw) // 3 + 40):
            raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    _refused(path, tmp_path / "data", match)


def test_an_npz_without_arrays_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    np.savez(path)
    _refused(path, tmp_path / "data", "no `hash` array.*no arrays")


def test_a_table_without_rows_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    np.savez(path, hash=np.array([], dtype="S32"), adjacency=np.zeros((0, 7, 7)),
             ops=np.zeros((0, 7), dtype=np.int8))
    _refused(path, tmp_path / "data", "no rows")


def test_a_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    with open(path, "wb") as f:
        np.save(f, np.arange(4))
    _refused(path, tmp_path / "data", "single array")


@pytest.mark.parametrize("column", ["test_accuracy_e108_r0", "trainable_parameters",
                                    "num_vertices"])
def test_a_short_column_is_refused(tmp_path, column):
    columns = table_columns()
    values = (columns[column] if column in columns
              else (np.asarray(columns["ops"]) != "").sum(axis=1))[:-1]
    _refused(write_table(tmp_path / "t.npz", **{column: values}), tmp_path / "data",
             "shaped \\(59,\\), the table has 60")


def test_short_spec_columns_are_refused(tmp_path):
    columns = table_columns()
    _refused(write_table(tmp_path / "t.npz", adjacency=columns["adjacency"][:-1],
                         ops=columns["ops"][:-1]), tmp_path / "data", "59 rows, `hash` 60")


@pytest.mark.parametrize("change, match", [
    (dict(hash=np.array(["a" * 33] * 60)), "32 hex characters"),
    (dict(hash=np.array(["é" * 32] * 60)), "not hex digits"),
    (dict(num_vertices=np.full(60, 258)), "outside 2..7"),
    (dict(adjacency=np.full((60, 7, 7), 2)), "outside 0..1"),
    (dict(test_accuracy=np.zeros(60)), "both give test_accuracy at 108 epochs, repeat 0"),
    (dict(test_accuracy_e0_r0=np.zeros(60)), "epochs must be positive"),
    (dict(test_accuracy_r5000=np.zeros(60)), "repeat below"),
    (dict(trainable_parameters=np.array(["x"] * 60)), "not numbers"),
])
def test_malformed_columns_are_refused(tmp_path, change, match):
    _refused(write_table(tmp_path / "t.npz", **change), tmp_path / "data", match)


def test_an_official_file_whose_hash_does_not_match_its_spec_is_refused(tmp_path):
    cells = random_cells(8, seed=2)
    cells[3] = dataclasses.replace(cells[3], hash=cells[4].hash[::-1])
    path = tmp_path / "nasbench_only108.tfrecord"
    write_official(path, cells, epochs=(108,), repeats=1)
    _refused(path, tmp_path / "data", "1 of 8 rows hold a hash that is not the hash")


def test_a_refused_import_leaves_the_existing_store_alone(tmp_path):
    import_file(write_table(tmp_path / "good.npz"), tmp_path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "nasbench101").iterdir()}
    bad = write_table(tmp_path / "bad.npz", hash=np.roll(table_columns()["hash"], 1))
    with pytest.raises(DataError):
        import_file(bad, tmp_path)
    assert {p.name: p.read_bytes() for p in (tmp_path / "nasbench101").iterdir()} == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "table.npz"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        import_file(fifo, tmp_path / "data")


def test_the_command_refuses_a_truncated_table_with_exit_2_and_no_traceback(tmp_path):
    path = tmp_path / "t.npz"
    np.savez_compressed(path, **table_columns())
    path.write_bytes(path.read_bytes()[:-100])
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "data", "nasbench101", "--import",
                           str(path), "--data", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and str(path) in done.stderr


class Source(tuple):
    """(a compressed table's bytes, the store files its import writes, meta.json aside)."""

    def __repr__(self) -> str:  # keeps Hypothesis reports short
        return f"Source({len(self[0])} bytes)"


@pytest.fixture(scope="module")
def clean_source(tmp_path_factory) -> Source:
    folder = tmp_path_factory.mktemp("clean")
    path = folder / "t.npz"
    np.savez_compressed(path, **table_columns(30, seed=1))
    store = import_file(path, folder).store
    return Source((path.read_bytes(), _arrays_of(store)))


def _arrays_of(store: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store.iterdir()) if p.suffix == ".npy"}


@settings(max_examples=settings.default.max_examples // 2)  # half the profile's: each imports
@given(data=st.data())
def test_a_damaged_source_is_refused_or_imports_the_same_table(clean_source, tmp_path_factory,
                                                                data):
    raw, expected = clean_source
    start = data.draw(st.integers(0, len(raw) - 1), label="start")
    length = data.draw(st.integers(1, 64), label="length")
    kind = data.draw(st.sampled_from(["random", "zero", "truncate"]), label="kind")
    damaged = bytearray(raw)
    if kind == "truncate":
        damaged = damaged[:start]
    else:
        end = min(start + length, len(raw))
        damaged[start:end] = (data.draw(st.binary(min_size=end - start, max_size=end - start))
                              if kind == "random" else bytes(end - start))
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / "t.npz"
    path.write_bytes(bytes(damaged))
    try:
        store = import_file(path, folder).store
    except DataError as e:
        assert str(path) in str(e)
        return
    assert _arrays_of(store) == expected
