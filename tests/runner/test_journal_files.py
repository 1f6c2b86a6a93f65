"""`nasdsl run` writes only into files it made: a journal carries a marker, any other file
at the journal's path is refused with or without --fresh and left byte for byte as it was,
format-1 journals are still read (and upgraded when resumed), and reports never replace a
file nasdsl did not write."""
from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.journal.file import APPLICATION_ID, identify
from nasdsl.store.importer import import_file
from nb101_small import write_table

EXPERIMENT = """\
experiment files
seed = 2
repeat = {repeat}
budget = 60 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; report = [test_accuracy]; data = "{data}" }}
search random
{run}output = "{output}"
"""


@pytest.fixture(autouse=True)
def _here(tmp_path, monkeypatch):
    """`output` is relative to the current folder: each test runs in its own."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("files-store")
    return import_file(write_table(folder / "t.npz"), folder).store


def experiment(folder: Path, store: Path, output: str = "out", journal: str | None = None,
               repeat: int = 2) -> Path:
    run = f'run {{ journal = "{journal}" }}\n' if journal else ""
    path = folder / "exp.nas"
    path.write_text(EXPERIMENT.format(data=store, output=output, run=run, repeat=repeat))
    return path


def nasdsl(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def customers_db(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE customers(name TEXT, email TEXT)")
        db.execute("INSERT INTO customers VALUES ('Ada', 'ada@example.org')")
    return path.read_bytes()


@pytest.mark.parametrize("fresh", [False, True], ids=["resume", "--fresh"])
@pytest.mark.parametrize("kind", ["sqlite", "text", "empty", "folder"])
def test_a_file_that_is_not_a_journal_is_refused_and_left_alone(tmp_path, store, capsys,
                                                                  kind, fresh):
    target = tmp_path / "important.db"
    if kind == "sqlite":
        before = customers_db(target)
    elif kind == "text":
        target.write_text("my notes\n")
        before = target.read_bytes()
    elif kind == "empty":
        target.touch()
        before = b""
    else:
        target.mkdir()
        before = None
    exp = experiment(tmp_path, store, journal=str(target))
    code, err = nasdsl(capsys, "run", exp, "--quiet", *(["--fresh"] if fresh else []))
    assert code == 2
    assert f"{target} is not a nasdsl journal" in err and "with or without --fresh" in err
    if before is not None:
        assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.nas", "important.db"]


def test_the_refusal_names_what_the_file_holds(tmp_path, store, capsys):
    customers_db(tmp_path / "important.db")
    exp = experiment(tmp_path, store, journal=str(tmp_path / "important.db"))
    _, err = nasdsl(capsys, "run", exp, "--quiet")
    assert "an SQLite database with tables customers" in err


def test_a_new_journal_carries_the_marker_and_fresh_replaces_it(tmp_path, store, capsys):
    exp = experiment(tmp_path, store)
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    journal = tmp_path / "out" / "journal.sqlite"
    with contextlib.closing(sqlite3.connect(journal)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert dict(db.execute("SELECT key, value FROM meta"))["format_version"] == "3"
    assert identify(journal).kind == "nasdsl"
    assert nasdsl(capsys, "run", exp, "--quiet", "--fresh")[0] == 0
    assert identify(journal).kind == "nasdsl"


def to_format_1(journal: Path) -> None:
    """Make a journal what nasdsl wrote before the marker: no application id, no runs.data,
    format_version 1."""
    with contextlib.closing(sqlite3.connect(journal)) as db, db:
        db.execute("PRAGMA application_id = 0")
        db.execute("ALTER TABLE runs DROP COLUMN data")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")


def test_a_format_1_journal_is_read_resumed_and_upgraded(tmp_path, store, capsys):
    exp = experiment(tmp_path, store, repeat=1)
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    journal = tmp_path / "out" / "journal.sqlite"
    to_format_1(journal)
    assert identify(journal).kind == "nasdsl-1"
    assert nasdsl(capsys, "report", tmp_path / "out")[0] == 0
    assert identify(journal).kind == "nasdsl-1"  # reading changes nothing
    experiment(tmp_path, store, repeat=2)  # one more run: the old one is kept
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    with contextlib.closing(sqlite3.connect(journal)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert dict(db.execute("SELECT key, value FROM meta"))["format_version"] == "3"
        assert db.execute("SELECT count(*) FROM evaluations").fetchone()[0] == 120


def test_fresh_deletes_a_format_1_journal(tmp_path, store, capsys):
    exp = experiment(tmp_path, store, repeat=1)
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    to_format_1(tmp_path / "out" / "journal.sqlite")
    assert nasdsl(capsys, "run", exp, "--quiet", "--fresh")[0] == 0
    assert identify(tmp_path / "out" / "journal.sqlite").kind == "nasdsl"


def test_reports_never_replace_the_users_files(tmp_path, store, capsys):
    (tmp_path / "summary.csv").write_text("mine\n")
    (tmp_path / "best.json").write_text("{}\n")
    exp = experiment(tmp_path, store, output=".")
    code, err = nasdsl(capsys, "run", exp, "--quiet")
    assert code == 2 and "summary.csv was not written by nasdsl (nor best.json)" in err
    assert (tmp_path / "summary.csv").read_text() == "mine\n"
    assert not (tmp_path / "journal.sqlite").exists()  # refused before the first evaluation


def test_reports_replace_their_own_files_and_keep_the_users_others(tmp_path, store, capsys):
    (tmp_path / "notes.md").write_text("mine\n")
    exp = experiment(tmp_path, store, output=".")
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0  # its own reports: replaced
    assert nasdsl(capsys, "report", tmp_path)[0] == 0
    assert (tmp_path / "notes.md").read_text() == "mine\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".nasdsl-report-")]


def test_reports_of_an_older_nasdsl_count_as_its_own(tmp_path, store, capsys):
    exp = experiment(tmp_path, store)
    assert nasdsl(capsys, "run", exp, "--quiet")[0] == 0
    (tmp_path / "out" / ".nasdsl-files").unlink()  # as an older nasdsl left the folder
    assert nasdsl(capsys, "report", tmp_path / "out")[0] == 0


def test_report_refuses_a_database_that_is_not_a_journal(tmp_path, capsys):
    before = customers_db(tmp_path / "shop.sqlite")
    code, err = nasdsl(capsys, "report", tmp_path / "shop.sqlite")
    assert code == 2 and "is not a nasdsl journal" in err
    assert (tmp_path / "shop.sqlite").read_bytes() == before
