"""Property: damage a random byte range of a random store file, and the store either refuses
clearly (a DataError naming a file of the store) or answers exactly what the clean store
answers — never different numbers."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nasdsl.errors import DataError
from nasdsl.evaluators import NASBench101Evaluator
from nasdsl.store.importer import import_file
from nasdsl.store.nasbench101 import NASBench101Store
from nb101_small import table_columns, write_table

COUNT = 30
ABSENT = ["0" * 32, "f" * 32]  # well-formed hashes the table does not hold


def answers(store_path: Path) -> list[str]:
    """Everything a run or a user can read from the store, as comparable text: each cell's
    lookup at both epoch budgets (sampled repeats and the mean) and its spec."""
    store = NASBench101Store.open(store_path)
    hashes = [str(h) for h in table_columns(COUNT, seed=3)["hash"]] + ABSENT
    out = []
    for epochs in (12, 108):
        for repeats in ("sample", "mean"):
            ev = NASBench101Evaluator(store=store, fitness="test_accuracy", epochs=epochs,
                                      repeats=repeats,
                                      report=["validation_accuracy", "training_time",
                                              "trainable_parameters"])
            out += [repr(r) for r in ev.evaluate_batch(hashes, seeds=list(range(len(hashes))))]
    for h in hashes:
        row = store.row(h)
        out.append(repr(store.spec(row)) if row >= 0 else "absent")
    return out


@dataclass
class Clean:
    store: Path
    answers: list[str]

    def __repr__(self) -> str:  # keeps Hypothesis reports short
        return f"Clean({self.store})"


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Clean:
    folder = tmp_path_factory.mktemp("clean")
    store = import_file(write_table(folder / "t.npz", COUNT, seed=3), folder).store
    return Clean(store, answers(store))


def test_the_clean_store_answers_every_lookup(clean):
    assert sum("status='ok'" in a for a in clean.answers) == 4 * COUNT


@settings(max_examples=settings.default.max_examples // 2)  # half the profile's: each copies a store
@given(data=st.data())
def test_damage_is_refused_or_changes_nothing(clean, tmp_path_factory, data):
    store, expected = clean.store, clean.answers
    name = data.draw(st.sampled_from(sorted(p.name for p in store.iterdir())), label="file")
    copy = tmp_path_factory.mktemp("damaged") / "nasbench101"
    shutil.copytree(store, copy)
    path = copy / name
    raw = bytearray(path.read_bytes())
    start = data.draw(st.integers(0, len(raw) - 1), label="start")
    length = data.draw(st.integers(1, 48), label="length")
    end = min(start + length, len(raw))
    kind = data.draw(st.sampled_from(["random", "zeros", "truncate", "cut out", "append"]),
                     label="kind")
    if kind == "random":
        raw[start:end] = data.draw(st.binary(min_size=end - start, max_size=end - start))
    elif kind == "zeros":
        raw[start:end] = bytes(end - start)
    elif kind == "truncate":
        del raw[start:]
    elif kind == "cut out":
        del raw[start:end]
    else:
        raw += data.draw(st.binary(min_size=1, max_size=48))
    path.write_bytes(bytes(raw))
    try:
        got = answers(copy)
    except DataError as e:
        assert str(copy) in str(e), e  # a clear refusal names the damaged store's file
        return
    assert got == expected
