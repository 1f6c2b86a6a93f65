"""A `nasdsl run` that stays alive while a test acts on it: a user's evaluator (`Sleepy`)
whose evaluations take as long as the test asks, started as a real process."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SLEEPY = """\
experiment mine_or_yours
seed = 1
budget = 50 evaluations
space cell {{ vertices = 5; edges = 6 }}
evaluate "sleepy_evaluator:Sleepy" {{ expensive = true }}
search random
output = "{output}"
"""


def env(**extra: str) -> dict[str, str]:
    """The environment of a run: `sleepy_evaluator` importable, `extra` set."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE),
                                                          os.environ.get("PYTHONPATH", "")]),
            **extra}


def live_run(folder: Path, output: str, sleep: float = 30.0, started: int = 1
             ) -> tuple[subprocess.Popen, Path]:
    """`nasdsl run --quiet` of SLEEPY in `folder` (evaluations of `sleep` seconds), returned
    with its experiment file once `started` evaluations have begun."""
    exp = folder / "exp.nas"
    exp.write_text(SLEEPY.format(output=output))
    marks = folder / "started"
    marks.mkdir()
    run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", "--quiet", str(exp)],
                           cwd=folder, env=env(NASDSL_TEST_SLEEP=str(sleep),
                                               NASDSL_TEST_STARTED=str(marks)),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(list(marks.iterdir())) < started:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, f"{started} evaluations not started within 120 s"
        time.sleep(0.02)
    return run, exp


def end(run: subprocess.Popen) -> None:
    """Kill `run` if it still runs, and reap it."""
    if run.poll() is None:
        run.kill()
    run.communicate(timeout=60)
