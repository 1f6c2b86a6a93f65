"""Every shipped experiment runs on the data `make` sets up (the store imported from the shared
table, Fashion-MNIST imported from beside the project), or its name and first line say what it
needs: `nasdsl check --strict` is the judge."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.nas"))
DECLARED = {"_official_": "# Needs the official NAS-Bench-101 table"}
"""A part of a file's name -> how its first line begins: data `make` does not provide."""


def _nasdsl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=300, cwd=ROOT, env=env)


def test_every_shipped_experiment_passes_strict_check_on_makes_data_or_says_what_it_needs(
        nb101_store, fashion_mnist_dir, tmp_path):
    data = tmp_path / "data"  # what `make data` leaves in the data folder
    data.mkdir()
    (data / "nasbench101").symlink_to(nb101_store, target_is_directory=True)
    env = {**os.environ, "NASDSL_DATA": str(data), "KERAS_HOME": str(tmp_path / "keras"),
           "NASDSL_DATASET_MIRROR": "http://127.0.0.1:9/"}
    imported = _nasdsl("data", "fashion_mnist", "--import", str(fashion_mnist_dir),
                       "--if-missing", env=env)
    assert imported.returncode == 0, imported.stderr
    done = _nasdsl("check", "--strict", *map(str, EXPERIMENTS), env=env)
    ok = {line.split(": ok, ")[0] for line in done.stdout.splitlines() if ": ok, " in line}
    refused = [path for path in EXPERIMENTS if str(path) not in ok]
    assert "Traceback" not in done.stderr
    for path in refused:
        needs = [first for part, first in DECLARED.items() if part in path.name]
        assert needs, f"{path.name} fails on make's data without saying so:\n{done.stderr}"
        assert path.read_text().startswith(needs[0]), f"{path.name}'s first line"
    assert done.returncode == (2 if refused else 0)
