"""`nasdsl check` and `nasdsl list` through a real subprocess: exit codes and output."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "experiments" / "nb101_official_evolution_example.nas"
BROKEN = ROOT / "tests" / "dsl" / "broken" / "unknown_key_search.nas"


def _nasdsl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def test_check_good_file_prints_the_plan_and_exits_0():
    done = _nasdsl("check", str(GOOD))
    assert done.returncode == 0, done.stderr
    assert "experiment nb101_official_evolution_example" in done.stdout
    assert "search regularized_evolution: 5 configurations, 50 runs" in done.stdout
    assert "population = 64, sample = 16" in done.stdout
    assert "total: 50 runs, 75,000 evaluations" in done.stdout


def test_check_broken_file_prints_caret_and_exits_2_but_checks_the_others():
    done = _nasdsl("check", str(BROKEN), str(GOOD))
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].endswith("unknown_key_search.nas:5:32: error: unknown key `populaton` "
                             "in `search regularized_evolution`")
    assert lines[1] == "    search regularized_evolution { populaton = 10 }"
    assert lines[2] == "    " + " " * 31 + "^"
    assert "did you mean `population`?" in done.stderr
    assert done.stdout.startswith(f"{GOOD}: ok, experiment nb101_official_evolution_example: 5 configurations")


def test_list_algorithms_includes_pygmo_keywords_with_defaults():
    done = _nasdsl("list", "algorithms")
    assert done.returncode == 0
    assert "pygmo.gaco" in done.stdout and "    ker = 63" in done.stdout
    assert "    sample = 25" in done.stdout
    assert "pygmo.nsga2  [multi-objective]" in done.stdout  # takes `objectives` only


def test_list_algorithms_says_how_each_pygmo_algorithm_spends_evaluations():
    lines = _nasdsl("list", "algorithms").stdout.splitlines()

    def behaviour(name: str) -> str:
        """The `    # …` lines under the name's entry (after its wrapped help), joined."""
        at = lines.index(next(x for x in lines if x.startswith(name + "  #"))) + 1
        while not lines[at].startswith("    # "):
            at += 1
        found = []
        while lines[at].startswith("    # "):
            found.append(lines[at].removeprefix("    # "))
            at += 1
        return " ".join(found)

    assert "population evaluations; each generation asked as one batch" in behaviour(
        "pygmo.gaco")
    assert "one batch" in behaviour("pygmo.pso_gen") and "one batch" in behaviour("pygmo.cmaes")
    assert "2 × population evaluations; one candidate at a time" in behaviour(
        "pygmo.bee_colony")
    assert "one candidate at a time; reals rounded" in behaviour("pygmo.pso")
    assert "integers searched as integers" in behaviour("pygmo.sga")
    assert not any(x.startswith("pygmo.ipopt") for x in lines)  # needs a gradient: left out


def test_list_ops_and_metrics():
    ops = _nasdsl("list", "ops")
    metrics = _nasdsl("list", "metrics")
    assert ops.returncode == metrics.returncode == 0
    assert "evaluate nasbench101 takes: conv1x1, conv3x3, maxpool3x3" in ops.stdout
    assert "trainable_parameters" in metrics.stdout


def test_check_shows_swept_space_settings_and_one_size_per_space():
    done = _nasdsl("check", str(ROOT / "experiments" / "fashion_global_pso.nas"))
    assert done.returncode == 0, done.stderr
    assert "space global: layers in [5, 7, 9]" in done.stdout
    assert ("space size: 3,125 architectures (layers = 5); 78,125 architectures (layers = 7); "
            "1,953,125 architectures (layers = 9)") in done.stdout


def test_version():
    from nasdsl import __version__

    done = _nasdsl("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"nasdsl {__version__}"
