"""Hostile input gets a located refusal (exit 2), never a traceback, a hang or a memory blow-up:
huge numbers, NUL in paths, non-regular files; and text a user's editor may write (a UTF-8
byte-order mark, CR LF or CR-only line endings) is accepted."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.cli import main
from nasdsl.dsl import MAX_FILE_BYTES, load, loads
from nasdsl.errors import DslError

BASE = ("experiment hostile\nbudget = 10 evaluations\nspace cell { vertices = 7 }\n"
        'evaluate "json:JSONDecoder" { }\nsearch random\n')


def refused(text: str, match: str) -> DslError:
    with pytest.raises(DslError, match=match) as info:
        loads(text, "exp.nas")
    assert info.value.line >= 1
    return info.value


def test_a_5000_digit_integer_is_refused_with_its_length():
    e = refused(BASE + f"seed = {'9' * 5000}\n", "an integer of 5,000 digits is too large")
    assert (e.line, e.column) == (6, 8)


@pytest.mark.parametrize("setting, match", [
    ("seed = 9223372036854775808", r"`seed` must be an integer in \[0, 4611686018427387904\]"),
    ("budget = 1e999 seconds", "too large for a number"),
])
def test_numbers_beyond_what_can_be_stored_are_refused(setting, match):
    text = BASE.replace("budget = 10 evaluations\n", "") if setting.startswith("budget") else BASE
    refused(text + setting + "\n", match)


@pytest.mark.parametrize("key, block", [("output", None), ("journal", "run")])
def test_a_nul_in_a_path_is_refused(key, block):
    line = f'{key} = "results/a\x00b"'
    text = BASE + (f"run {{ {line} }}\n" if block else line + "\n")
    refused(text, "must not hold control characters")


@pytest.mark.parametrize("variant", ["\ufeff{}", "{}", "crlf", "cr"])
def test_a_byte_order_mark_and_any_line_ending_are_accepted(tmp_path, variant):
    text = {"crlf": BASE.replace("\n", "\r\n"), "cr": BASE.replace("\n", "\r")}.get(
        variant, variant.format(BASE))
    path = tmp_path / "exp.nas"
    path.write_bytes(text.encode("utf-8"))
    plan = load(path)
    assert plan.experiment == "hostile" and plan.configs[0].budget.amount == 10


def test_errors_after_cr_only_line_endings_point_at_the_right_line():
    e = refused(BASE.replace("\n", "\r") + "seed = -1\r", "seed")
    assert e.line == 6


def _check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "exp.nas"
    os.mkfifo(fifo)
    done = _check(fifo)  # would block for ever if the pipe were opened for reading
    assert done.returncode == 2 and "not a regular file" in done.stderr


@pytest.mark.parametrize("path", ["/dev/zero", "folder"])
def test_a_device_or_a_folder_is_refused_without_reading_it(tmp_path, path):
    target = Path(path) if path.startswith("/") else tmp_path
    if not target.exists():
        pytest.skip(f"{target} is not here")
    done = _check(target)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_of_many_megabytes_is_refused(tmp_path):
    path = tmp_path / "exp.nas"
    path.write_bytes(BASE.encode() + b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(DslError, match="too large for an experiment file"):
        load(path)


def test_a_cluster_without_dask_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if Dask were not installed
    path = tmp_path / "exp.nas"
    path.write_text(BASE + 'run { cluster = "tcp://127.0.0.1:8786" }\n'
                    f'output = "{tmp_path / "out"}"\n')
    assert main(["run", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "sends evaluations to Dask, which is not installed here" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
