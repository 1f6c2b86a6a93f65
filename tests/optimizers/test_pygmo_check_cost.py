"""`check` of a pygmo search costs about the same whatever its population: the stand-in
problem is evolved with small populations and what a generation spends is extrapolated, while
what pygmo refuses is still refused with pygmo's reason."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from resource_limits import limited

pygmo = pytest.importorskip("pygmo")

from nasdsl.optimizers.pygmo_catalog import integer_native  # noqa: E402
from nasdsl.optimizers.pygmo_search import (STAND_IN_POPULATION, _shape,  # noqa: E402
                                            evaluations_per_generation)
from nasdsl.spaces.cell_space import CellSpace  # noqa: E402

HEAD = ("experiment pygmo_cost\nbudget = 10 evaluations\nspace cell { vertices = 7 }\n"
        'evaluate "json:JSONDecoder" { }\n')


def test_large_populations_sweeps_and_refusals_check_in_2_gb_and_20_seconds(tmp_path: Path):
    swept = ", ".join(str(50_000 + i) for i in range(100))
    files = {
        "huge.nas": "search pygmo.pso { population = 10000000 }\n",
        "archive.nas": "search pygmo.gaco { ker = 40; population = 30 }\n",
        "swept.nas": f"search pygmo.pso {{ population in [{swept}] }}\n",
        "largest.nas": "search pygmo.bee_colony { population = 100000 }\n",
        # pygmo does not check `neighb_param` against the population: a stand-in smaller
        # than it crashed the interpreter; the population itself is fine
        "neighbours.nas": "search pygmo.pso { population = 1000; neighb_param = 999 }\n",
        # pygmo's particle swarm crashes the interpreter with one particle
        "alone.nas": "search pygmo.pso { population = 1 }\n",
    }
    for name, body in files.items():
        (tmp_path / name).write_text(HEAD + body)
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check",
                           *(str(tmp_path / name) for name in files)],
                          capture_output=True, text=True, timeout=20,
                          preexec_fn=limited(2 * 2**30))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    errors = re.findall(r"^(\S+\.nas):(\d+):(\d+): error: (.*)$", done.stderr, re.M)
    assert {e[0].rsplit("/", 1)[-1] for e in errors} == {"huge.nas", "archive.nas",
                                                             "alone.nas"}
    huge = next(e for e in errors if e[0].endswith("huge.nas"))
    assert huge[1:3] == ("5", "33") and "[1, 100000], got 10000000" in huge[3]
    archive = next(e for e in errors if e[0].endswith("archive.nas"))
    assert archive[1] == "5" and "ker" in archive[3]
    alone = next(e for e in errors if e[0].endswith("alone.nas"))
    assert alone[1] == "5" and "crashed" in alone[3]
    assert "100 runs" in done.stdout


@pytest.mark.parametrize("algorithm, per_population, constant", [
    ("pso", 1, 0), ("bee_colony", 2, 0), ("sea", 0, 1), ("compass_search", 1, 0)])
def test_a_generation_of_a_large_population_spends_what_pygmo_spends(
        algorithm, per_population, constant):
    shape = _shape(CellSpace(), integer_native(algorithm))
    for population in (STAND_IN_POPULATION + 1, 3 * STAND_IN_POPULATION + 7):
        assert evaluations_per_generation(algorithm, population, {}, shape) == \
            per_population * population + constant


def test_a_population_large_enough_only_for_a_large_archive_is_judged_at_its_size():
    shape = _shape(CellSpace(), integer_native("gaco"))
    assert evaluations_per_generation("gaco", 1500, {"ker": 1000}, shape) == 1500
    with pytest.raises(ValueError, match="archive bigger than the population"):
        evaluations_per_generation("gaco", 700, {"ker": 1000}, shape)



@pytest.mark.slow
def test_a_keyword_that_allocates_by_its_value_is_refused_within_the_limits(tmp_path: Path):
    """PSO's `neighb_param` is not checked by pygmo: a huge one allocates by its value."""
    (tmp_path / "huge.nas").write_text(HEAD + "search pygmo.pso { neighb_param = 1000000000 }\n")
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(tmp_path / "huge.nas")],
                          capture_output=True, text=True, timeout=20,
                          preexec_fn=limited(2 * 2**30))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "huge.nas:5:8: error: `pygmo.pso` refuses these settings" in done.stderr
