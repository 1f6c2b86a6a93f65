"""A damaged store never yields numbers: each array's checksum recorded at import is verified
before the array's first use, shapes, dtypes, sortedness and `meta.json` are validated, and
`nasdsl data nasbench101 --verify` checks it all. Damage stops a run with exit 1 naming the
file; nothing is journaled as a failed evaluation."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.evaluators import NASBench101Evaluator
from nasdsl.store.checksum import file_crc32, meta_digest
from nasdsl.store.importer import import_file
from nasdsl.store.nasbench101 import NASBench101Store
from nb101_small import table_columns, write_table

HASHES = table_columns()["hash"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine")
    return import_file(write_table(folder / "t.npz"), folder).store


@pytest.fixture
def store(pristine: Path, tmp_path: Path) -> Path:
    """A private copy of a sound store (a data folder's `nasbench101/`)."""
    copy = tmp_path / "data" / "nasbench101"
    shutil.copytree(pristine, copy)
    return copy


def _meta(store: Path) -> dict:
    return json.loads((store / "meta.json").read_text())


def _write_meta(store: Path, meta, consistent: bool = True) -> None:
    """Replace meta.json; `consistent` recomputes its checksum (as a careful forger would)."""
    if consistent and isinstance(meta, dict):
        meta["checksum"] = meta_digest(meta)
    (store / "meta.json").write_text(json.dumps(meta))


def _replace_array(store: Path, name: str, array: np.ndarray, consistent: bool) -> None:
    """Overwrite one array file; `consistent` also records its checksum, size and shape in
    meta.json, so only the validation beyond checksums can catch the change."""
    np.save(store / name, array, allow_pickle=False)
    if consistent:
        meta = _meta(store)
        meta["files"][name].update(crc32=file_crc32(store / name), shape=list(array.shape),
                                   bytes=(store / name).stat().st_size)
        _write_meta(store, meta)


def _evaluate_all(store: Path) -> list:
    ev = NASBench101Evaluator(store, fitness="test_accuracy", epochs=108,
                              report=["validation_accuracy", "trainable_parameters"])
    return [ev.evaluate(h, seed=i) for i, h in enumerate(HASHES)]


def _damaged(store: Path, names: str) -> str:
    with pytest.raises(DamagedDataError) as info:
        _evaluate_all(store)
    message = str(info.value)
    assert any(str(store / n) in message for n in names.split("|")), message
    assert "import it again: nasdsl data nasbench101 --import" in message
    return message


def test_a_sound_store_answers(store):
    results = _evaluate_all(store)
    assert [r.status for r in results] == ["ok"] * len(HASHES)
    assert results[5].metrics["trainable_parameters"] == 5007


def test_flipped_bytes_in_an_accuracy_array_stop_the_lookup(store):
    path = store / "run.test_accuracy.npy"
    raw = bytearray(path.read_bytes())
    raw[-40:-36] = b"\x7f\x7f\x7f\x7f"  # a float of 3e38 where an accuracy was
    path.write_bytes(bytes(raw))
    assert "checksum" in _damaged(store, "run.test_accuracy.npy")


@pytest.mark.parametrize("consistent, words", [(False, "checksum"),
                                               (True, "strictly increasing order")])
def test_reversed_hashes_are_refused(store, consistent, words):
    hashes = np.load(store / "hashes.npy")
    _replace_array(store, "hashes.npy", hashes[::-1], consistent)
    assert words in _damaged(store, "hashes.npy")


@pytest.mark.parametrize("consistent, words", [(False, "bytes, .* when imported"),
                                               (True, r"shape \(59, 2, 2\), expected \(60, 2, 2\)")])
def test_a_short_array_is_refused(store, consistent, words):
    values = np.load(store / "run.test_accuracy.npy")
    _replace_array(store, "run.test_accuracy.npy", values[:-1], consistent)
    message = _damaged(store, "run.test_accuracy.npy|meta.json")
    assert re.search(words, message), message


def test_an_array_whose_header_disagrees_with_meta_is_refused(store):
    values = np.load(store / "run.test_accuracy.npy").astype(np.float64)
    np.save(store / "run.test_accuracy.npy", values)
    meta = _meta(store)  # the checksum and size match, the recorded dtype does not
    meta["files"]["run.test_accuracy.npy"].update(
        crc32=file_crc32(store / "run.test_accuracy.npy"),
        bytes=(store / "run.test_accuracy.npy").stat().st_size)
    _write_meta(store, meta)
    assert "holds <f8" in _damaged(store, "run.test_accuracy.npy")


def test_a_missing_array_is_named(store):
    (store / "cell.trainable_parameters.npy").unlink()
    assert "cannot be read" in _damaged(store, "cell.trainable_parameters.npy")


META_CHANGES: dict[str, Callable[[dict], object]] = {
    "epochs [4]": lambda m: {**m, "epochs": [4]},
    "a list": lambda m: [m],
    "no epochs": lambda m: {k: v for k, v in m.items() if k != "epochs"},
    "repeats 'x'": lambda m: {**m, "repeats": "x"},
    "cells -1": lambda m: {**m, "cells": -1},
    "repeats 1 of 2": lambda m: {**m, "metrics": {**m["metrics"], "test_accuracy": {
        **m["metrics"]["test_accuracy"], "repeats": {"12": 2, "108": 3}}}},
    "unknown metric": lambda m: {**m, "metrics": {**m["metrics"], "speed": {"per": "cell"}}},
    "file list": lambda m: {**m, "files": {}},
}


@pytest.mark.parametrize("consistent", [False, True], ids=["edited", "checksum recomputed"])
@pytest.mark.parametrize("change", list(META_CHANGES))
def test_a_changed_description_is_refused_before_any_lookup(store, change, consistent):
    _write_meta(store, META_CHANGES[change](_meta(store)), consistent)
    with pytest.raises(DamagedDataError) as info:
        NASBench101Store.open(store)
    message = str(info.value)
    assert str(store / "meta.json") in message
    if consistent and change != "a list":
        assert "checksum does not match" not in message  # caught by the structure checks


def test_a_description_that_is_not_json_is_refused(store):
    (store / "meta.json").write_bytes(b'{"format": "nasdsl-nasbench101", "cel\xff')
    with pytest.raises(DamagedDataError, match="not valid JSON"):
        NASBench101Store.open(store)


def test_whitespace_in_the_description_does_not_matter(store):
    (store / "meta.json").write_text(json.dumps(_meta(store), indent=7) + "\n\n")
    assert _evaluate_all(store)[0].status == "ok"


def test_a_store_of_the_previous_format_is_refused_saying_how_to_import_again(store):
    meta = _meta(store)
    meta["format_version"] = 1
    for key in ("files", "checksum"):
        meta.pop(key)
    _write_meta(store, meta, consistent=False)
    with pytest.raises(DataError, match="older nasdsl.*--import .*t.npz") as info:
        NASBench101Store.open(store)
    assert not isinstance(info.value, DamagedDataError)


def test_a_file_changed_after_this_process_verified_it_is_caught(store):
    assert _evaluate_all(store)[0].status == "ok"
    path = store / "run.test_accuracy.npy"
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 1
    path.write_bytes(bytes(raw))
    _damaged(store, "run.test_accuracy.npy")


# --- through the command line --------------------------------------------------------------
def _nasdsl(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def test_verify_passes_a_sound_store(store):
    done = _nasdsl("data", "nasbench101", "--verify", "--data", store.parent)
    assert done.returncode == 0, done.stderr
    assert "60 hashes recomputed" in done.stdout and "match their checksums" in done.stdout


def test_verify_lists_every_damaged_file_and_exits_1(store):
    for name in ("run.test_accuracy.npy", "ops.npy"):
        raw = bytearray((store / name).read_bytes())
        raw[-3] ^= 0xFF
        (store / name).write_bytes(bytes(raw))
    done = _nasdsl("data", "nasbench101", "--verify", "--data", store.parent)
    assert done.returncode == 1
    assert str(store / "run.test_accuracy.npy") in done.stderr
    assert str(store / "ops.npy") in done.stderr
    assert "Traceback" not in done.stderr and "--import" in done.stderr


def test_verify_recomputes_hashes_that_checksums_alone_would_accept(store):
    """A store rewritten consistently (checksums and meta.json updated) but whose hash no
    longer belongs to its spec: only the content checks can see it."""
    hashes = np.load(store / "hashes.npy").copy()
    hashes[10] = hashes[10][:-1] + (b"0" if hashes[10][-1:] != b"0" else b"1")
    order = np.argsort(hashes)
    assert (order == np.arange(len(order))).all()  # still sorted: open-time checks pass
    _replace_array(store, "hashes.npy", hashes, consistent=True)
    NASBench101Store.open(store)
    done = _nasdsl("data", "nasbench101", "--verify", "--data", store.parent)
    assert done.returncode == 1
    assert "1 of 60 rows hold a hash that is not the hash of their spec" in done.stderr


def test_verify_compares_the_stated_counts_with_the_arrays(store):
    values = np.load(store / "run.test_accuracy.npy").copy()
    values[0, 1, 1] = np.nan  # meta.json still says every run is there
    _replace_array(store, "run.test_accuracy.npy", values, consistent=True)
    done = _nasdsl("data", "nasbench101", "--verify", "--data", store.parent)
    assert done.returncode == 1
    assert "test_accuracy at 108 epochs states 120 runs" in done.stderr


def test_info_on_a_damaged_store_exits_1(store):
    _write_meta(store, {**_meta(store), "epochs": [4]}, consistent=False)
    done = _nasdsl("data", "nasbench101", "--info", "--data", store.parent)
    assert done.returncode == 1 and "meta.json" in done.stderr


def test_if_missing_imports_again_over_a_damaged_store(store, tmp_path):
    path = store / "hashes.npy"
    path.write_bytes(path.read_bytes()[:-5])
    source = write_table(tmp_path / "again.npz")
    done = _nasdsl("data", "nasbench101", "--import", source, "--if-missing", "--data",
                   store.parent)
    assert done.returncode == 0, done.stderr
    assert "importing again" in done.stderr and "imported 60 cells" in done.stdout
    assert _evaluate_all(store)[0].status == "ok"


def test_if_missing_keeps_a_sound_store(store, tmp_path):
    done = _nasdsl("data", "nasbench101", "--import", tmp_path / "nonexistent.npz",
                   "--if-missing", "--data", store.parent)
    assert done.returncode == 0 and "already present" in done.stdout


EXPERIMENT = """\
experiment damaged
seed = 1
repeat = 2
budget = 200 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; report = [{report}]; data = "{data}" }}
search random
run {{ workers = {workers} }}
output = "out"
"""


def _evaluations(journal: Path) -> int:
    if not journal.exists():
        return 0
    with sqlite3.connect(journal) as db:
        return db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0]


@pytest.mark.parametrize("damaged, workers", [
    ("run.test_accuracy.npy", 1),          # found when the run opens the store
    ("cell.trainable_parameters.npy", 2),  # found by a worker at its first lookup
])
def test_a_run_on_a_damaged_store_exits_1_naming_the_file_and_journals_nothing(
        store, tmp_path, damaged, workers):
    from nasdsl.dsl import load
    from nasdsl.runner import run_plan

    nas = tmp_path / "exp.nas"
    nas.write_text(EXPERIMENT.format(report="trainable_parameters", data=store, workers=workers))
    plan = load(nas)  # the same file runs on the sound store (in this process, one worker)
    plan = dataclasses.replace(plan, output=tmp_path / "sound",
                               execution=dataclasses.replace(plan.execution, workers=1))
    sound = run_plan(plan)
    assert sound.evaluations == 400 and _evaluations(tmp_path / "sound" / "journal.sqlite") == 400

    raw = bytearray((store / damaged).read_bytes())
    raw[-2] ^= 0x10
    (store / damaged).write_bytes(bytes(raw))
    done = _nasdsl("run", nas, "--quiet", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert str(store / damaged) in done.stderr and "Traceback" not in done.stderr
    assert _evaluations(tmp_path / "out" / "journal.sqlite") == 0
