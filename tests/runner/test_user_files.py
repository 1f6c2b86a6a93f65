"""Files nasdsl did not write are never overwritten or deleted, whatever happened before: a
run killed before its first report, `final`'s models, a second run through a symbolic link.
Each through the command line, as real processes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasdsl.cli import main
from nasdsl.dsl import load
from nasdsl.errors import ForeignFile
from nasdsl.output_folder import MANIFEST, claim
from nasdsl.runner.final import MODELS, model_names

from live_runs import end, env, live_run

KERAS = """\
experiment keeps_models
seed = 0; budget = 2 evaluations
space global {{ layers = 1; ops = [conv3x3]; filters = [4] }}
evaluate keras {{ dataset = npz("{data}"); epochs = 1; batch_size = 8; validation = 0.25 }}
search random
final {{ top = 2; epochs = 1 }}
output = "out"
"""


def _nasdsl(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_a_file_put_where_a_killed_run_reports_stays_the_users(tmp_path, capsys):
    """`output = "."`, `kill -9` before the first report, the user's `summary.csv` put there:
    the rerun refuses with a sentence naming it and leaves it as it was."""
    run, exp = live_run(tmp_path, ".")
    try:
        os.kill(run.pid, signal.SIGKILL)
    finally:
        end(run)
    assert (tmp_path / "journal.sqlite").exists() and not (tmp_path / "report.html").exists()
    (tmp_path / "summary.csv").write_text("my own summary\n")
    again = _nasdsl(tmp_path, "run", "--quiet", str(exp))
    assert again.returncode == 2
    assert again.stderr.count("\n") == 1 and "summary.csv was not written by nasdsl" in again.stderr
    assert (tmp_path / "summary.csv").read_text() == "my own summary\n"
    # `nasdsl report` refuses it the same way: the folder is known as nasdsl's
    assert main(["report", str(tmp_path)]) == 2
    assert "summary.csv was not written by nasdsl" in capsys.readouterr().err
    assert (tmp_path / "summary.csv").read_text() == "my own summary\n"


def test_a_second_run_through_a_symbolic_link_is_refused(tmp_path):
    """A live run holds `out/journal.sqlite`; a second `nasdsl run` whose journal is a
    symbolic link to it is the same journal under another name: refused with a sentence,
    the live run untouched."""
    run, exp = live_run(tmp_path, "out")
    try:
        (tmp_path / "alias.sqlite").symlink_to(tmp_path / "out" / "journal.sqlite")
        other = tmp_path / "other.nas"
        other.write_text(exp.read_text() + 'run { journal = "alias.sqlite" }\n')
        second = _nasdsl(tmp_path, "run", "--quiet", str(other))
        assert second.returncode == 2, second.stderr
        assert "alias.sqlite is being written by another nasdsl run" in second.stderr
        assert f"pid {run.pid}" in second.stderr and second.stderr.count("\n") == 1
        assert run.poll() is None  # the first run goes on
    finally:
        end(run)


def _tiny_images(path: Path) -> Path:
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 255, (16, 8, 8), dtype=np.uint8),
             y_train=np.arange(16) % 2, x_test=rng.integers(0, 255, (8, 8, 8), dtype=np.uint8),
             y_test=np.arange(8) % 2)
    return path


def test_final_never_saves_over_a_users_model_file(tmp_path):
    """The user's file where `final` would save its best model: refused before the search."""
    exp = tmp_path / "exp.nas"
    exp.write_text(KERAS.format(data=_tiny_images(tmp_path / "tiny.npz")))
    names = model_names(load(exp))
    assert names[0].endswith("-top1.keras") and len(names) == 2
    models = tmp_path / "out" / MODELS
    models.mkdir(parents=True)
    (models / names[0]).write_bytes(b"my own model")
    done = _nasdsl(tmp_path, "run", "--quiet", str(exp))
    assert done.returncode == 2
    assert f"{names[0]} was not written by nasdsl" in done.stderr
    assert (models / names[0]).read_bytes() == b"my own model"
    assert not (tmp_path / "out" / "journal.sqlite").exists()  # refused before the search


def test_a_model_file_that_appears_during_the_search_is_not_replaced(tmp_path):
    """The run lists `models/` when it starts; a file put there later is the user's: saving
    a model there is refused (`final` claims each file before it trains)."""
    models = tmp_path / "out" / MODELS
    claim(models, ["a-top1.keras", "a-top2.keras"], home=tmp_path / "out")
    assert (models / MANIFEST).exists()  # listed, though nothing is written yet
    claim(models, ["a-top2.keras"], writing=True)
    (models / "a-top1.keras").write_text("mine")
    with pytest.raises(ForeignFile, match="a-top1.keras was not written by nasdsl"):
        claim(models, ["a-top1.keras"], writing=True)
    claim(models, ["a-top2.keras"], writing=True)  # its own listed file: replaced at will
