"""A damaged journal (truncated, or garbage inside) stops `run` and `report` with a sentence
naming it (exit 1), never a traceback; and a report that cannot be written completely — a
file size limit, a full disk, a read-only folder — leaves the previous report as it was."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.store.importer import import_file
from nb101_small import write_table

EXPERIMENT = """\
experiment damaged_journal
seed = 3
repeat = 3
budget = 400 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; epochs = 108; data = "{data}" }}
search random
run {{ journal = "{journal}" }}
output = "{output}"
"""


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """A finished experiment's folder (journal, reports) and its file."""
    folder = tmp_path_factory.mktemp("finished")
    store = import_file(write_table(folder / "t.npz"), folder / "data").store
    exp = folder / "exp.nas"
    exp.write_text(EXPERIMENT.format(data=store, journal=folder / "out" / "journal.sqlite",
                                     output=folder / "out"))
    assert main(["run", str(exp), "--quiet"]) == 0
    return folder, exp


def _copy(finished, tmp_path: Path, output: Path | None = None,
          journal: Path | None = None) -> tuple[Path, Path]:
    folder, exp = finished
    shutil.copytree(folder / "out", tmp_path / "out")
    journal = journal or tmp_path / "out" / "journal.sqlite"
    if journal != tmp_path / "out" / "journal.sqlite":
        journal.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(tmp_path / "out" / "journal.sqlite", journal)
    text = exp.read_text().replace(str(folder / "out" / "journal.sqlite"), str(journal))
    text = text.replace(f'output = "{folder / "out"}"', f'output = "{output or tmp_path / "out"}"')
    copy = tmp_path / "exp.nas"
    copy.write_text(text)
    return copy, journal


def _damage(journal: Path, how: str) -> None:
    raw = bytearray(journal.read_bytes())
    if how == "truncated":
        raw = raw[: len(raw) // 3]
    else:
        start = len(raw) // 3
        raw[start:start + len(raw) // 3] = b"\xa5" * (len(raw) // 3)
    journal.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["truncated", "garbage inside"])
def test_run_and_report_on_a_damaged_journal_stop_with_a_sentence(finished, tmp_path, capsys,
                                                                  how):
    exp, journal = _copy(finished, tmp_path)
    _damage(journal, how)
    for command in (["run", str(exp), "--quiet"], ["report", str(tmp_path / "out")]):
        code = main(command)
        err = capsys.readouterr().err
        assert code == 1, (command, err)
        assert str(journal) in err and "Traceback" not in err
        assert "damaged" in err or "malformed" in err or "not a database" in err


LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from nasdsl.cli import main
sys.exit(main(["report", {folder!r}]))
"""


def _report_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()
            and not p.name.startswith("journal.sqlite")}


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
def test_a_report_that_cannot_be_written_whole_leaves_the_previous_one(finished, tmp_path):
    _copy(finished, tmp_path)
    out = tmp_path / "out"
    before = _report_files(out)
    assert len(before["evaluations.csv"]) > 40_000
    done = subprocess.run([sys.executable, "-c", LIMITED.format(limit=40_000, folder=str(out))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    assert f"cannot write the report into {out}: the file size limit was reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert _report_files(out) == before  # no truncated evaluations.csv, nothing half-replaced
    assert not [p for p in out.iterdir() if p.name.startswith(".nasdsl-report-")]


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True).returncode == 0


@pytest.mark.parametrize("case", ["full disk", "read-only folder"])
def test_reports_on_a_full_disk_or_a_read_only_folder(finished, tmp_path, capsys, case):
    """The output folder is a small or read-only file system of its own (needs mount
    rights); the journal lives elsewhere."""
    out = tmp_path / "mounted"
    if not _mount(out, "size=64k" if case == "full disk" else "size=1m"):
        pytest.skip("cannot mount a file system here")
    try:
        exp, _ = _copy(finished, tmp_path, output=out, journal=tmp_path / "j" / "journal.sqlite")
        if case == "read-only folder":
            subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        code = main(["run", str(exp), "--quiet"])  # all runs done: it writes the report
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err
        words = "the disk is full" if case == "full disk" else "read-only"
        assert f"cannot write the report into {out}" in err and words in err
        assert not (out / "evaluations.csv").exists()  # no truncated file that looks whole
        assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == []
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)
