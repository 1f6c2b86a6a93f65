"""`run { workers = N }` starts no more worker processes than there is work for, and `check`
says how many will start: 32 workers for a 2-evaluation budget start 2 (they once started 35
processes); the bound on `workers` itself is refused by `check` (tests/dsl/test_setting_bounds)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nasdsl.dsl import loads
from nasdsl.runner.workers import plan_workers, workers_to_start

COUNTING = """\
import os
from pathlib import Path

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


def _worker_processes(parent):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if ppid == parent and b"spawn_main" in command:
            found.append(entry.name)
    return found


class Counting(Evaluator):
    expensive = True

    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        out = Path(os.environ["WORKERS_FILE"])
        out.write_text(str(len(_worker_processes(os.getppid()))))
        return Result(fitness=0.5, metrics={"accuracy": 0.5})
"""


def _experiment(folder: Path, budget: str = "2 evaluations", workers: int = 32) -> Path:
    (folder / "counting.py").write_text(COUNTING)
    path = folder / "exp.nas"
    path.write_text(f"experiment workers\nbudget = {budget}\nspace cell {{ vertices = 7 }}\n"
                    'evaluate "counting:Counting" { }\nsearch random\n'
                    f'run {{ workers = {workers} }}\noutput = "{folder / "out"}"\n')
    return path


def test_32_workers_for_2_evaluations_start_2_processes_and_check_says_so(tmp_path: Path):
    exp = _experiment(tmp_path)
    env = {**__import__("os").environ, "WORKERS_FILE": str(tmp_path / "workers")}
    checked = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(exp)],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "run: workers 32 (2 worker processes start)" in checked.stdout
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "--quiet", str(exp)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "workers").read_text() == "2"


def test_workers_are_capped_by_runs_for_lookups_and_by_what_a_run_has_in_flight():
    text = ("experiment w\nbudget = BUDGET\nspace cell { vertices = 7 }\n"
            'evaluate "json:JSONDecoder" { }\nsearch dqn { epsilon = 0.1 }\n'
            "search regularized_evolution as evolution { population = 4; sample = 2 }\n"
            "search regularized_evolution as busy { population = 4; sample = 2; "
            "asynchronous = true }\nsearch random\n")
    configs = {c.label: c for c in loads(text.replace("BUDGET", "100 evaluations"), "e.nas").configs}
    assert workers_to_start(32, True, 1, [configs["dqn"]]) == 0  # one episode at a time
    assert workers_to_start(32, True, 1, [configs["evolution"]]) == 4  # its population
    assert workers_to_start(32, True, 1, [configs["busy"]]) == 32  # as workers free up
    assert workers_to_start(32, True, 1, [configs["random"]]) == 30  # its chunk
    assert workers_to_start(32, True, 1, configs.values()) == 32
    assert workers_to_start(32, False, 3, configs.values()) == 3  # lookups: a run each
    assert workers_to_start(32, False, 1, configs.values()) == 0  # one run runs here
    assert workers_to_start(1, True, 8, configs.values()) == 0
    timed = loads(text.replace("BUDGET", "1 hours"), "e.nas").configs
    assert workers_to_start(300, True, 1, [c for c in timed if c.label == "busy"]) == 300
    two = loads(text.replace("BUDGET", "2 evaluations"), "e.nas").configs
    assert workers_to_start(32, True, 1, two) == 2


def test_check_counts_runs_of_lookups(tmp_path: Path):
    text = ("experiment w\nbudget = 10 evaluations\nrepeat = 3\nspace cell { vertices = 7 }\n"
            'evaluate "json:JSONDecoder" { }\nsearch random\nrun { workers = 8 }\n')
    assert plan_workers(loads(text, "exp.nas")) == 3
