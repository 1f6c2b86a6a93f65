"""Importing official-format files and tables; the store answers back exactly what went in,
and a failed import never harms the store that was there."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.store.importer import import_file
from nasdsl.store.nasbench101 import NASBench101Store
from nb101_fakes import random_cells, run_values, write_official

EPOCHS = (4, 36, 108)


@pytest.fixture(scope="module")
def official(tmp_path_factory):
    """A few dozen genuine cells in the official layout: 3 epoch budgets x 3 repeats."""
    folder = tmp_path_factory.mktemp("official")
    cells = random_cells(40, seed=3)
    path = folder / "nasbench_full.tfrecord"
    assert write_official(path, cells, epochs=EPOCHS, repeats=3) == 40 * 3 * 3
    return path, cells


def test_official_file_imports_and_queries_back_exactly(official, tmp_path):
    path, cells = official
    report = import_file(path, tmp_path)
    store = NASBench101Store.open(tmp_path)
    assert store.cells == 40 and store.epochs == EPOCHS and store.repeats == 3
    assert set(store.metrics) == {"validation_accuracy", "test_accuracy", "train_accuracy",
                                  "training_time", "trainable_parameters"}
    assert list(store.hashes) == sorted(store.hashes)
    for i, cell in enumerate(cells):
        row = store.row(cell.hash)
        assert row >= 0
        matrix, ops = store.spec(row)
        assert matrix == cell.matrix.tolist() and ops == cell.ops
        assert store.array("trainable_parameters")[row] == cell.params
        for e_index, epochs in enumerate(EPOCHS):
            for r in range(3):
                want = run_values(i, epochs, r)
                for name, value in want.items():
                    assert store.array(name)[row, e_index, r] == value, (name, epochs, r)
    assert report.meta["source"]["kind"] == "tfrecord"
    assert report.meta["metrics"]["test_accuracy"]["runs"] == {"4": 120, "36": 120, "108": 120}


def test_missing_runs_are_nan_and_visible_in_meta(tmp_path):
    cells = random_cells(5, seed=9)
    path = tmp_path / "only108.tfrecord"
    write_official(path, cells, epochs=(108,), repeats=1)
    meta = import_file(path, tmp_path / "data").meta
    assert meta["epochs"] == [108] and meta["repeats"] == 1
    assert meta["metrics"]["validation_accuracy"]["repeats"] == {"108": 1}


def _store_digest(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_file_is_refused_and_the_existing_store_is_untouched(official, tmp_path, damage):
    path, _ = official
    import_file(path, tmp_path)
    store_folder = NASBench101Store.open(tmp_path).path
    before = _store_digest(store_folder)
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[len(raw) // 2] ^= 0x40
    bad = tmp_path / "nasbench_only108.tfrecord"
    bad.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="truncated|checksum|corrupt"):
        import_file(bad, tmp_path)
    assert _store_digest(store_folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nasbench101", "nasbench_only108.tfrecord"]


def test_a_record_that_is_not_nasbench_json_is_refused(tmp_path):
    from nasdsl.store.tfrecord import write_records

    path = tmp_path / "x.tfrecord"
    write_records(path, [b'{"not": "a list"}'])
    with pytest.raises(DataError, match="record 0 is not a NAS-Bench-101 record"):
        import_file(path, tmp_path / "data")


def test_shared_table_imports_with_only_the_metrics_it_has(nb101_store):
    store = NASBench101Store.open(nb101_store)
    assert store.cells == 423_624
    assert set(store.metrics) == {"test_accuracy", "trainable_parameters", "flops"}
    assert store.epochs == (108,) and store.repeats == 1
    row = store.row("28cfc7874f6d200472e1a9dcd8650aa0")
    assert store.array("test_accuracy")[row, 0, 0] == np.float32(0.9311898946762085)
    assert store.array("trainable_parameters")[row] == 2_694_282
    assert store.array("test_accuracy").dtype == np.float32
    meta = json.loads((nb101_store / "meta.json").read_text())
    assert meta["source"]["sha256"] == meta["source"]["sha256"].lower()
    assert meta["source"]["known_sha256_match"] is True


def test_npz_columns_map_to_epochs_and_repeats(tmp_path):
    cells = random_cells(6, seed=5)
    n = len(cells)
    adjacency = np.zeros((n, 7, 7), dtype=np.uint8)
    ops = np.full((n, 7), "", dtype="<U15")
    for i, c in enumerate(cells):
        v = len(c.ops)
        adjacency[i, :v, :v] = c.matrix
        ops[i, :v] = c.ops
    hashes = np.array([c.hash for c in cells])
    path = tmp_path / "t.npz"
    np.savez(path, hash=hashes, adjacency=adjacency, ops=ops,
             validation_accuracy_r0=np.arange(n) / 10, validation_accuracy_r2=np.arange(n) / 20,
             training_time_e36_r1=np.arange(n) + 0.5, mystery=np.zeros(n))
    report = import_file(path, tmp_path)
    store = NASBench101Store.open(tmp_path)
    assert store.epochs == (36, 108) and store.repeats == 3
    assert any("mystery" in note for note in report.notes)
    row = store.row(cells[4].hash)
    va = store.array("validation_accuracy")
    assert va[row, 1, 0] == np.float32(0.4) and va[row, 1, 2] == np.float32(0.2)
    assert np.isnan(va[row, 1, 1]) and np.isnan(va[row, 0, 0])
    assert store.array("training_time")[row, 0, 1] == 4.5
    assert store.spec(row) == (cells[4].matrix.tolist(), cells[4].ops)
    assert store.epochs_with("training_time") == (36,)


def test_npz_without_specs_is_refused(tmp_path):
    path = tmp_path / "t.npz"
    np.savez(path, hash=np.array(["0" * 32]))
    with pytest.raises(DataError, match="no `adjacency` array"):
        import_file(path, tmp_path)


def test_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(DataError, match="nasdsl data nasbench101 --import"):
        NASBench101Store.open(tmp_path)


@pytest.mark.parametrize("content", [b"junk", b"", b"\x93NUMPY not an archive"])
def test_a_file_that_is_not_a_zip_is_refused_as_such(tmp_path, content):
    path = tmp_path / "t.npz"
    path.write_bytes(content)
    with pytest.raises(DataError, match="not an? .npz table") as e:
        import_file(path, tmp_path)
    assert "pickle" not in str(e.value)
