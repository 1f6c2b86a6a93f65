"""A journal is data anybody may have written or damaged: reading it (`report`, the combined
report, `status`) imports no code it names, and a damaged row stops `report`, `status` and a
resume with the row named, never a wrong number. Journals are those of a real small run,
edited with sqlite3."""
from __future__ import annotations

import re

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.store.importer import import_file
from nb101_small import write_table

EXPERIMENT = """\
experiment safety
seed = 5
repeat = 2
budget = 12 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; data = "{data}" }}
search random
output = "{output}"
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, str]:
    """A finished small experiment's output folder, and its file's text (its output
    `@OUTPUT@`)."""
    folder = tmp_path_factory.mktemp("safety")
    store = import_file(write_table(folder / "t.npz"), folder / "data").store
    text = EXPERIMENT.format(data=store, output="@OUTPUT@")
    exp = folder / "exp.nas"
    exp.write_text(text.replace("@OUTPUT@", str(folder / "out")))
    assert main(["run", str(exp), "--quiet"]) == 0
    return folder / "out", text


def _copy(finished, tmp_path: Path, name: str = "out") -> tuple[Path, Path]:
    """A copy of the finished output folder, and an experiment file writing into it."""
    out = tmp_path / name
    shutil.copytree(finished[0], out)
    exp = tmp_path / f"{name}.nas"
    exp.write_text(finished[1].replace("@OUTPUT@", str(out)))
    return out, exp


def _sql(journal: Path, *statements: str, params=()) -> list[tuple]:
    db = sqlite3.connect(journal)
    try:
        rows = []
        for sql in statements:
            rows = db.execute(sql, params).fetchall()
        db.commit()
        return rows
    finally:
        db.close()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


HOSTILE = "os:system"


def _hostile(journal: Path, marker: Path, columns: tuple[str, ...]) -> None:
    """Name `os.system`, with a command that creates `marker`, as each component of every
    configuration the journal describes."""
    record = json.dumps({"kind": HOSTILE, "settings": {"command": f"id > {marker}"}})
    for column in columns:
        value = HOSTILE if column == "algorithm" else record
        _sql(journal, f"UPDATE configs SET {column} = ?", params=(value,))


def test_report_and_status_import_nothing_a_journal_names(finished, tmp_path):
    out, _ = _copy(finished, tmp_path)
    marker = tmp_path / "ran"
    _hostile(out / "journal.sqlite", marker, ("space", "evaluator", "algorithm"))
    for command, says in ((["report", str(out)], "report written"),
                          (["status", str(out)], "evaluations: 24 of 24")):
        done = _cli(*command, cwd=tmp_path)
        assert not marker.exists(), f"{command[0]} ran the journal's command"
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
        assert says in done.stdout
    best = json.loads((out / "best.json").read_text())
    notes = [c.get("note", "") for c in best["configs"]]
    assert notes and all("'os:system' is not one of nasdsl's own" in n for n in notes)


def test_a_combined_report_imports_nothing_a_journal_names(finished, tmp_path):
    hostile, _ = _copy(finished, tmp_path, "hostile")
    clean, _ = _copy(finished, tmp_path, "clean")
    marker = tmp_path / "ran"
    _hostile(hostile / "journal.sqlite", marker, ("space",))
    done = _cli("report", str(hostile), str(clean), "--output", str(tmp_path / "both"),
                cwd=tmp_path)
    assert not marker.exists()
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "both" / "report.html").is_file()


def _ok_row(journal: Path) -> tuple[str, int, float]:
    return _sql(journal, "SELECT run, idx, fitness FROM evaluations WHERE status = 'ok' "
                         "ORDER BY run, idx LIMIT 1 OFFSET 3")[0]


def _flip_lowest_bit(value: float) -> float:
    (bits,) = struct.unpack("<Q", struct.pack("<d", value))
    return struct.unpack("<d", struct.pack("<Q", bits ^ 1))[0]


def _refusals(capsys, out: Path, exp: Path) -> dict[str, tuple[int, str]]:
    """Exit status and stderr of `report`, `status` and `run` (a resume) on `out`."""
    found = {}
    for command in (["report", str(out)], ["status", str(out)], ["run", str(exp), "--quiet"]):
        code = main(command)
        found[command[0]] = (code, capsys.readouterr().err)
    return found


def test_one_flipped_bit_in_a_fitness_stops_report_status_and_resume(finished, tmp_path,
                                                                      capsys):
    out, exp = _copy(finished, tmp_path)
    journal = out / "journal.sqlite"
    run, idx, fitness = _ok_row(journal)
    _sql(journal, "UPDATE evaluations SET fitness = ? WHERE run = ? AND idx = ?",
         params=(_flip_lowest_bit(fitness), run, idx))
    _sql(journal, "UPDATE runs SET status = 'running' WHERE run = ?", params=(run,))
    before = _sql(journal, "SELECT * FROM evaluations"), _sql(journal, "SELECT * FROM runs")
    for command, (code, err) in _refusals(capsys, out, exp).items():
        assert code == 1, (command, err)
        assert "Traceback" not in err and err.count("\n") == 1, err
        assert f"evaluation {idx} of run {run} " in err and "checksum does not match" in err
    after = _sql(journal, "SELECT * FROM evaluations"), _sql(journal, "SELECT * FROM runs")
    assert after == before  # the resume refused before writing anything


def test_a_damaged_finished_run_stops_a_run_that_would_only_add_runs(finished, tmp_path,
                                                                     capsys):
    """Raising `repeat` resumes no damaged run, yet the journal it would add to is damaged:
    refused before anything is evaluated."""
    out, exp = _copy(finished, tmp_path)
    journal = out / "journal.sqlite"
    run, idx, fitness = _ok_row(journal)
    _sql(journal, "UPDATE evaluations SET fitness = ? WHERE run = ? AND idx = ?",
         params=(_flip_lowest_bit(fitness), run, idx))
    exp.write_text(re.sub(r"repeat = (\d+)", lambda m: f"repeat = {int(m.group(1)) + 1}",
                          exp.read_text(), count=1))
    before = _sql(journal, "SELECT * FROM evaluations"), _sql(journal, "SELECT * FROM runs")
    assert main(["run", str(exp), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"evaluation {idx} of run {run} " in err and "checksum does not match" in err
    assert (_sql(journal, "SELECT * FROM evaluations"), _sql(journal, "SELECT * FROM runs")) \
        == before


@pytest.mark.parametrize("value, words", [(7.5, "not an accuracy"), ("0.9x", "not a number")])
def test_report_and_status_refuse_a_damaged_fitness_with_one_message(finished, tmp_path,
                                                                    capsys, value, words):
    out, exp = _copy(finished, tmp_path)
    journal = out / "journal.sqlite"
    run, idx, _ = _ok_row(journal)
    # a journal without checksums (as older nasdsl wrote them): ranges and types still hold
    _sql(journal, "ALTER TABLE evaluations DROP COLUMN checksum")
    _sql(journal, "UPDATE evaluations SET fitness = ? WHERE run = ? AND idx = ?",
         params=(value, run, idx))
    report = (main(["report", str(out)]), capsys.readouterr().err)
    status = (main(["status", str(out)]), capsys.readouterr().err)
    assert report[0] == status[0] == 1, (report, status)
    messages = [line for line in report[1].splitlines() if line.startswith("error:")]
    assert messages == [line for line in status[1].splitlines() if line.startswith("error:")]
    assert len(messages) == 1 and f"evaluation {idx} of run {run} " in messages[0]
    assert words in messages[0] and "Traceback" not in report[1] + status[1]


def test_a_journal_without_checksums_reads_unverified_and_gains_them_on_resume(
        finished, tmp_path, capsys):
    out, exp = _copy(finished, tmp_path)
    journal = out / "journal.sqlite"
    run, idx, _ = _ok_row(journal)
    _sql(journal, "ALTER TABLE evaluations DROP COLUMN checksum")
    _sql(journal, "UPDATE meta SET value = '2' WHERE key = 'format_version'")  # as written then
    _sql(journal, "DELETE FROM evaluations WHERE run = ? AND idx >= ?", params=(run, idx))
    _sql(journal, "UPDATE runs SET status = 'running', evaluations = ? WHERE run = ?",
         params=(idx, run))
    assert main(["status", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "read unverified" in err, err
    assert main(["run", str(exp), "--quiet"]) == 0, capsys.readouterr().err
    unchecked = _sql(journal, "SELECT count(*) FROM evaluations WHERE checksum IS NULL")
    assert unchecked == [(0,)]
    # Format 3 from now on: a nasdsl that would add rows without checksums refuses it.
    assert _sql(journal, "SELECT value FROM meta WHERE key = 'format_version'") == [("3",)]
    assert main(["report", str(out)]) == 0
    assert "unverified" not in capsys.readouterr().err
    assert len(_sql(journal, "SELECT * FROM evaluations WHERE run = ?", params=(run,))) == 12
