"""Journal rows read back exactly as written pass their checks; any single flipped bit of a
value, a value of the wrong type, or one outside its metric's range is refused with the row
named."""
from __future__ import annotations

import sqlite3
import struct
from pathlib import Path

import pytest

from nasdsl.errors import JournalError
from nasdsl.journal import Journal
from nasdsl.journal.values import metrics_json
from nasdsl.journal.rows import row_checksums
from nasdsl.plan import Budget, EvaluatorSpec, SearchConfig, SpaceSpec

CONFIG = SearchConfig(label="random", algorithm="random", settings={}, swept={},
                      budget=Budget(6, "evaluations"), space=SpaceSpec("cell", {}),
                      evaluator=EvaluatorSpec("nasbench101", {"fitness": "test_accuracy"}))
RUN = f"{CONFIG.key}#0"
ROWS = [  # odd but genuine values: NaN and None, -0.0, an int fitness, text beyond ASCII
    (RUN, 0, 0, "cell:é→ß", "h0", 0.25, "ok", None, -0.0, 0.001, metrics_json({"loss": 1e9})),
    (RUN, 1, None, "cell:b", "h1", float("nan"), "failed", "boom", 1.5, 0.002, "{}"),
    (RUN, 2, 1, "cell:c", "h2", 1, "ok", None, 2.0, 0.003,
     metrics_json({"test_accuracy": 0.5, "parameters": 1234, "curve": [0.1, 0.2]}), 3),
    (RUN, 3, 1, "cell:d", "h3", 0.75, "ok", None, 3.0, 0.004, "{}", 2),
]


def _journal(path: Path) -> Path:
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "2", "experiment": "rows"})
        journal.write_configs([CONFIG])
        journal.start_run(RUN, CONFIG.key, 0, 0)
        journal.append(ROWS, finished=(RUN, len(ROWS)))
    return path


def _set(path: Path, sql: str, params=()) -> None:
    db = sqlite3.connect(path)
    db.execute(sql, params)
    db.commit()
    db.close()


def test_rows_read_back_as_written_pass_and_carry_the_checksum_of_each_row(tmp_path):
    path = _journal(tmp_path / "j.sqlite")
    with Journal.open(path) as journal:
        frame = journal.evaluations()
        recorded = journal.recorded(RUN)
        progress = journal.run_progress()
    assert frame["fitness"].tolist()[:1] == [0.25] and len(frame) == 4
    assert [r.index for r in recorded] == [0, 1, 3, 2]  # arrival order
    assert progress[0].evaluations == 4 and progress[0].best == 1.0
    db = sqlite3.connect(path)
    stored = [r[0] for r in db.execute("SELECT checksum FROM evaluations ORDER BY idx")]
    db.close()
    one_by_one = [row_checksums([row])[0] for row in ROWS]
    assert stored == row_checksums(ROWS) == one_by_one  # a batch sums as its rows do
    assert len(set(stored)) == 4


def test_every_single_flipped_bit_of_a_fitness_is_refused(tmp_path):
    path = _journal(tmp_path / "j.sqlite")
    (bits,) = struct.unpack("<Q", struct.pack("<d", 0.75))
    for bit in range(64):
        flipped = struct.unpack("<d", struct.pack("<Q", bits ^ (1 << bit)))[0]
        _set(path, "UPDATE evaluations SET fitness = ? WHERE idx = 3", (flipped,))
        with Journal.open(path) as journal, pytest.raises(
                JournalError, match="evaluation 3 of run .* is damaged"):
            journal.evaluations()


@pytest.mark.parametrize("sql, words", [
    ("UPDATE evaluations SET generation = 'x' WHERE idx = 0", "its generation is 'x', not a "
                                                              "number"),
    ("UPDATE evaluations SET metrics = '{\"parameters\": -5}' WHERE idx = 0",
     "its metric parameters is -5.0, which is not a finite amount of at least 0"),
    ("UPDATE evaluations SET wall_seconds = -1 WHERE idx = 1", "its wall_seconds is -1.0"),
    ("UPDATE evaluations SET fitness = 1.25 WHERE idx = 0", "its fitness (test_accuracy) is "
                                                            "1.25, which is not an accuracy"),
])
def test_values_of_the_wrong_type_or_range_are_refused_without_checksums(tmp_path, sql, words):
    path = _journal(tmp_path / "j.sqlite")
    _set(path, "ALTER TABLE evaluations DROP COLUMN checksum")
    _set(path, sql)
    with Journal.open(path) as journal, pytest.raises(JournalError) as refused:
        journal.evaluations()
    assert words in str(refused.value)


def test_a_metric_of_no_known_kind_is_not_range_checked(tmp_path, capsys):
    path = _journal(tmp_path / "j.sqlite")
    _set(path, "ALTER TABLE evaluations DROP COLUMN checksum")
    with Journal.open(path) as journal:
        assert journal.evaluations()["loss"].tolist()[0] == 1e9
    assert "read unverified" in capsys.readouterr().err


FINAL = {"config": CONFIG.key, "hash": "h2", "epochs": 4, "rank": 1, "architecture": "cell:c",
         "search_fitness": 1.0, "seed": 7, "status": "ok", "error": None, "fitness": 0.625,
         "cost_seconds": 12.5, "wall_seconds": 13.0, "metrics": {"test_accuracy": 0.625},
         "model": "models/top1.keras", "data": None}


def test_retrainings_carry_checksums_too_and_gain_them_on_resume(tmp_path, capsys):
    path = _journal(tmp_path / "j.sqlite")
    with Journal.open(path, readonly=False) as journal:
        journal.record_final(FINAL)
    with Journal.open(path) as journal:
        assert journal.finals()["fitness"].tolist() == [0.625]
    _set(path, "UPDATE finals SET fitness = 0.626")
    with Journal.open(path) as journal, pytest.raises(
            JournalError, match="the retraining of h2 for 4 epochs .* is damaged: its checksum"):
        journal.finals()
    _set(path, "UPDATE finals SET fitness = 0.625")
    _set(path, "ALTER TABLE finals DROP COLUMN checksum")
    with Journal.open(path) as journal:
        assert len(journal.finals()) == 1
    assert "read unverified" in capsys.readouterr().err
    Journal.open(path, readonly=False).close()  # as a resume opens it: checksums added
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM finals WHERE checksum IS NOT NULL").fetchone() == (1,)
    db.close()
    with Journal.open(path) as journal:
        assert len(journal.finals()) == 1
    assert capsys.readouterr().err == ""
