"""Fixtures of the report tests: two small experiments run for real on the shared table."""
from __future__ import annotations

from pathlib import Path

import pytest

EVOLUTION = """experiment small_evolution
seed = 0; repeat = 2; budget = 60 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ data = "{data}"; fitness = test_accuracy; report = [test_accuracy] }}
search regularized_evolution {{ population = 10; sample = 3
    mutation = grow(add_node = 0.2, add_connection = 0.2, redraw in [true, false]) }}
output = "{output}"
"""
RANDOM = """experiment small_random
seed = 0; repeat = 2; budget = 60 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ data = "{data}"; fitness = test_accuracy; report = [test_accuracy] }}
search random
search regularized_evolution as flip {{ population = 10; sample = 3; mutation = flip }}
output = "{output}"
"""


def run_small(folder: Path, name: str, text: str, data: Path) -> Path:
    """Run one small experiment in this process; its output folder."""
    from nasdsl.cli import main

    output = folder / name
    nas = folder / f"{name}.nas"
    nas.write_text(text.format(data=data, output=output))
    assert main(["run", str(nas), "--quiet"]) == 0
    return output


@pytest.fixture(scope="session")
def two_journals(nb101_store, tmp_path_factory) -> tuple[Path, Path]:
    """Output folders (journal and report) of two small experiments: a grow grid of 2
    configurations, and random search against flip evolution; 2 runs of 60 each."""
    folder = tmp_path_factory.mktemp("small-experiments")
    return (run_small(folder, "evolution", EVOLUTION, nb101_store),
            run_small(folder, "random", RANDOM, nb101_store))
