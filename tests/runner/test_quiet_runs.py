"""A run's output holds only what nasdsl says: no TensorFlow start-up lines on stderr, no
DeprecationWarning from nasdsl's own code, counts of one in the singular."""
from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("keras")

KERAS = """\
experiment quiet
seed = 0; budget = 1 evaluations
space global { layers = 1; ops = [conv3x3]; filters = [4] }
evaluate keras { dataset = npz("tiny.npz"); epochs = 1; batch_size = 8; validation = 0.25 }
search random
final { top = 1; epochs = 1 }
output = "out"
"""

RUN = """\
import nasdsl.optimizers.qnetwork, nasdsl.optimizers.policy_network  # the other Keras users
from nasdsl.cli import main
raise SystemExit(main(["run", "exp.nas"]))
"""
"""Imports every module that uses Keras, then runs the experiment (search, then `final`)."""

KERAS_OWN = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
"""Keras's own saving code, on every model.save (setup.cfg says why): not nasdsl's."""


def test_tensorflow_start_up_lines_are_dropped_and_the_rest_kept(capfd):
    """What TensorFlow's C++ code writes to file descriptor 2 while it is imported: its two
    notices dropped, anything else passed on."""
    import os

    from nasdsl.quiet_tensorflow import dropping

    with dropping():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are "
                    b"written to STDERR\n"
                    b"I0000 00:00:1796688316.553320 7019 port.cc:153] oneDNN custom "
                    b"operations are on. You may see slightly different numerical results\n"
                    b"E0000 something that went wrong\n")
        assert capfd.readouterr().err == ""  # held back until the import ends
    assert capfd.readouterr().err == "E0000 something that went wrong\n"


@pytest.mark.slow  # TensorFlow's import and two trainings: about 10 s of CPU
def test_a_keras_run_writes_no_tensorflow_lines_and_no_deprecation_warning(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "tiny.npz", x_train=rng.integers(0, 255, (16, 8, 8), dtype=np.uint8),
             y_train=np.arange(16) % 2, x_test=rng.integers(0, 255, (8, 8, 8), dtype=np.uint8),
             y_test=np.arange(8) % 2)
    (tmp_path / "exp.nas").write_text(KERAS)
    done = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-W", KERAS_OWN,
                           "-c", RUN], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no oneDNN notice, no absl preamble, no warning
    with sqlite3.connect(tmp_path / "out" / "journal.sqlite") as db:  # a warning raised as an
        statuses = db.execute("SELECT status, error FROM evaluations UNION ALL "  # error would
                              "SELECT status, error FROM finals").fetchall()  # fail them
    assert statuses == [("ok", None), ("ok", None)]
    assert "quiet: final retraining, 1 epoch: 1 run to do" in done.stdout.splitlines()
