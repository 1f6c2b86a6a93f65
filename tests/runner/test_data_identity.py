"""A run is never continued on, or reused with, other data than it read: the journal keeps
each run's store identity (a digest of the table's content), and a rerun after the store
changed is refused; runs an older nasdsl journaled with failed lookups — a damaged store's
errors, indistinguishable from real failures — are not reused either."""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.store.importer import import_file
from nb101_small import write_table

EXPERIMENT = """\
experiment identity
seed = 4
repeat = 2
budget = 50 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; data = "{data}" }}
search random
output = "out"
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = import_file(write_table(tmp_path / "t.npz", seed=0), tmp_path / "data").store
    exp = tmp_path / "exp.nas"
    exp.write_text(EXPERIMENT.format(data=store))
    return tmp_path, exp


def _run(capsys, *args) -> tuple[int, str]:
    code = main(["run", *map(str, args), "--quiet"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_a_rerun_on_another_table_is_refused(setup, capsys):
    folder, exp = setup
    assert _run(capsys, exp)[0] == 0
    import_file(write_table(folder / "other.npz", seed=1), folder / "data")
    code, err = _run(capsys, exp)
    assert code == 1
    assert "read the nasbench101 store imported from t.npz" in err
    assert "the store is now the nasbench101 store imported from other.npz" in err
    assert "--fresh" in err
    assert _run(capsys, exp, "--fresh")[0] == 0


def test_importing_the_same_table_again_changes_nothing(setup, capsys):
    folder, exp = setup
    assert _run(capsys, exp)[0] == 0
    import_file(folder / "t.npz", folder / "data")  # a new import time, the same content
    assert _run(capsys, exp)[0] == 0


def _as_older_nasdsl(journal: Path, failed: int) -> None:
    """The journal as format 1 wrote it, with `failed` lookups journaled as failures (what a
    damaged store gave before stores were verified)."""
    with contextlib.closing(sqlite3.connect(journal)) as db, db:
        db.execute("PRAGMA application_id = 0")
        db.execute("ALTER TABLE runs DROP COLUMN data")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
        db.execute("UPDATE evaluations SET status = 'failed', fitness = NULL, "
                   "error = 'IndexError: index 59 is out of bounds' WHERE idx < ?", (failed,))


def test_runs_an_older_nasdsl_journaled_with_failed_lookups_are_not_reused(setup, capsys):
    folder, exp = setup
    assert _run(capsys, exp)[0] == 0
    _as_older_nasdsl(folder / "out" / "journal.sqlite", failed=5)
    code, err = _run(capsys, exp)
    assert code == 1
    assert "recorded by an older nasdsl and holds 5 failed evaluations" in err
    assert "not reused" in err and "--fresh" in err


def test_runs_of_an_older_nasdsl_without_failures_are_reused(setup, capsys):
    folder, exp = setup
    assert _run(capsys, exp)[0] == 0
    _as_older_nasdsl(folder / "out" / "journal.sqlite", failed=0)
    code, _ = _run(capsys, exp)
    assert code == 0
    with contextlib.closing(sqlite3.connect(folder / "out" / "journal.sqlite")) as db:
        assert db.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 100
