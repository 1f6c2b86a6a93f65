"""Whatever goes wrong, the user reads one sentence, never a traceback: a folder that cannot
be made (exit 1, naming it), and a failure nobody foresaw, such as an exception in a user's
own search (exit 1, where it was raised, and the file that keeps the traceback)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BOOM = '''
from nasdsl.evaluators.base import Evaluator
from nasdsl.optimizers.base import Optimizer
from nasdsl.result import Result


class Fixed(Evaluator):
    metrics = ("accuracy",)

    def evaluate(self, x, seed=None):
        return Result(fitness=0.5, metrics={"accuracy": 0.5})


class Boom(Optimizer):
    parameters = ()

    def __init__(self, space, **settings):
        self.space = space

    def search(self, evaluate_batch, budget, rng):
        return 1 / 0
'''

EXPERIMENT = """\
experiment boom
budget = 10 evaluations
space cell { vertices = 5; edges = 6 }
evaluate "boom:Fixed"
search "boom:Boom"
output = "out"
"""


def _nasdsl(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(cwd), **(env or {})})


def test_a_data_folder_that_cannot_be_made_is_one_sentence(tmp_path: Path, fashion_mnist_dir):
    done = _nasdsl("data", "fashion_mnist", "--import", str(fashion_mnist_dir),
                   "--data", "/proc/no-such-folder", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: cannot write /proc/no-such-folder")
    assert done.stderr.count("\n") == 1


def test_an_exception_in_a_users_search_says_where_and_keeps_the_traceback(tmp_path: Path):
    (tmp_path / "boom.py").write_text(BOOM)
    (tmp_path / "exp.nas").write_text(EXPERIMENT)
    done = _nasdsl("run", "exp.nas", "--quiet", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    match = re.fullmatch(r"error: ZeroDivisionError: division by zero \(raised at (.+):(\d+)\); "
                         r"the details, for a bug report, are in (\S+)", line)
    assert match, done.stderr
    assert Path(match.group(1)) == tmp_path / "boom.py" and match.group(2) == "21"
    assert "Traceback" in Path(match.group(3)).read_text()

    shown = _nasdsl("run", "exp.nas", "--quiet", cwd=tmp_path, env={"NASDSL_TRACEBACK": "1"})
    assert shown.returncode == 1 and "return 1 / 0" in shown.stderr
