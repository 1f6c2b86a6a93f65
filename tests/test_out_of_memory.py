"""A run that runs out of memory ends with one sentence and exit 1, never a traceback: the
settings' bounds keep each one sane, but several large ones at once (or a small machine) can
still ask for more than there is."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resource_limits import limited

HOG = """\
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Hog(Evaluator):
    def __init__(self, megabytes=1):
        self.held = bytearray(megabytes * 2**20)

    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        return Result(fitness=0.5, metrics={"accuracy": 0.5})
"""


def _run(folder: Path, body: str, address_space: int,
         space: str = "space cell { vertices = 7 }") -> subprocess.CompletedProcess:
    path = folder / "exp.nas"
    path.write_text(f"experiment oom\nbudget = 10 evaluations\n{space}\n" + body + f'output = "{folder / "out"}"\n')
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "--quiet", str(path)],
                          capture_output=True, text=True, timeout=300, cwd=folder,
                          preexec_fn=limited(address_space))


def _ends_with_a_sentence(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: out of memory (") and "lower the ones that size memory" in last


def test_memory_exhausted_while_the_run_starts_is_one_sentence(tmp_path: Path):
    (tmp_path / "hog.py").write_text(HOG)
    done = _run(tmp_path, 'evaluate "hog:Hog" { megabytes = 4000 }\nsearch random\n', 2**31)
    _ends_with_a_sentence(done)


@pytest.mark.slow
def test_a_replay_memory_at_its_bound_on_a_small_machine_is_one_sentence(tmp_path: Path):
    pytest.importorskip("tensorflow")
    (tmp_path / "hog.py").write_text(HOG)
    # 10 million transitions of a 1000-layer decision sequence: about 80 GB of replay memory
    done = _run(tmp_path, 'evaluate "hog:Hog" { }\nsearch dqn { replay = 10_000_000 }\n',
                3 * 2**30, space="space global { layers = 1000 }")
    _ends_with_a_sentence(done)
    assert "(10000000, " in done.stderr  # the replay memory's own arrays
