"""`nasdsl data nasbench101` through a real subprocess: output and exit codes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nb101_fakes import random_cells, write_official


def nasdsl(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, env=full_env, timeout=120)


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("src") / "nasbench_only108.tfrecord"
    write_official(path, random_cells(12, seed=4), epochs=(108,), repeats=3)
    return path


def test_import_then_info(small_file, tmp_path):
    done = nasdsl("data", "nasbench101", "--import", str(small_file), "--data", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "imported 12 cells" in done.stdout
    info = nasdsl("data", "nasbench101", "--info", "--data", str(tmp_path))
    assert info.returncode == 0, info.stderr
    out = info.stdout
    assert "cells:     12" in out and "epochs:    108" in out and "repeats:   3" in out
    assert "validation_accuracy" in out and "training_time" in out and "flops" not in out
    assert "nasbench_only108.tfrecord (tfrecord" in out
    assert "sha256:" in out and "bytes on disk" in out


def test_if_missing_does_nothing_when_a_store_exists(small_file, tmp_path):
    assert nasdsl("data", "nasbench101", "--import", str(small_file), "--data",
                  str(tmp_path)).returncode == 0
    again = nasdsl("data", "nasbench101", "--import", "/nonexistent.tfrecord", "--if-missing",
                   "--data", str(tmp_path))
    assert again.returncode == 0
    assert again.stdout.strip().count("\n") == 0 and "already present" in again.stdout


def test_data_folder_comes_from_the_environment(small_file, tmp_path):
    done = nasdsl("data", "nasbench101", "--import", str(small_file),
                  env={"NASDSL_DATA": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nasbench101" / "meta.json").is_file()


def test_info_without_a_store_exits_2_saying_how_to_import(tmp_path):
    done = nasdsl("data", "nasbench101", "--info", "--data", str(tmp_path))
    assert done.returncode == 2
    assert "--import" in done.stderr and "--download" in done.stderr


def test_corrupt_import_exits_2_and_keeps_the_store(small_file, tmp_path):
    assert nasdsl("data", "nasbench101", "--import", str(small_file), "--data",
                  str(tmp_path)).returncode == 0
    bad = tmp_path / "bad.tfrecord"
    bad.write_bytes(small_file.read_bytes()[:-3])
    done = nasdsl("data", "nasbench101", "--import", str(bad), "--data", str(tmp_path))
    assert done.returncode == 2
    assert "truncated" in done.stderr
    info = nasdsl("data", "nasbench101", "--info", "--data", str(tmp_path))
    assert info.returncode == 0 and "cells:     12" in info.stdout
