"""Every setting that sizes an allocation has an upper bound, declared with its type and
checked by `check` at the value's line and column: a resource bomb is refused (exit 2) in
well under 2 GB and 20 s, instead of passing `check` and exhausting memory in `run`."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.dsl import loads
from nasdsl.errors import DslError
from nasdsl.registry import lookup
from nasdsl.settings import IntType, ListType
from nasdsl.settings.bounds import MAX_CHANNELS, MAX_POPULATION, MAX_REPLAY, MAX_WORKERS
from resource_limits import limited

HEAD = "experiment bombs\nbudget = 10 evaluations\n"
CELL = "space cell { vertices = 7 }\n"
PYTHON = 'evaluate "json:JSONDecoder" { }\n'

BOMBS = {  # name: (file text, the line of the refused value, what the message names)
    "dqn replay": (CELL + PYTHON + "search dqn { replay = 1_000_000_000_000 }\n",
                   "`replay` must be an integer in [1, 10000000], got 1000000000000"),
    "dqn dense units": (CELL + PYTHON + "search dqn { network = dense(units = [1_000_000_000]) }\n",
                        "`network.units` must be an integer in [1, 4096], got 1000000000"),
    "dqn lstm units": (CELL + PYTHON + "search dqn { network = lstm(units = 1_000_000_000) }\n",
                       "`network.units` must be an integer in [1, 4096], got 1000000000"),
    "dqn dense layers": (CELL + PYTHON + "search dqn { network = dense(units = ["
                         + ", ".join(["8"] * 17) + "]) }\n", "at most 16 items, got 17 items"),
    "bananas ensemble": (CELL + PYTHON + "search bananas { ensemble = 1_000_000_000 }\n",
                         "`ensemble` must be an integer in [2, 1000], got 1000000000"),
    "ppo batch": (CELL + PYTHON + "search ppo { batch = 1_000_000_000 }\n",
                  "`batch` must be an integer in [1, 100000], got 1000000000"),
    "local_search initial": (CELL + PYTHON + "search local_search { initial = 1_000_000_000 }\n",
                             "`initial` must be an integer in [1, 100000], got 1000000000"),
    "evolution population": (CELL + PYTHON + "search regularized_evolution { population = "
                             "1_000_000_000; sample = 2 }\n", "`population` must be an integer "
                             "in [1, 100000], got 1000000000"),
    "keras cells": (CELL + "evaluate keras { cells = 1_000_000_000 }\nsearch random\n",
                    "`cells` must be an integer in [1, 64], got 1000000000"),
    "keras stacks": (CELL + "evaluate keras { stacks = 40 }\nsearch random\n",
                     "the widest stack would have 70,368,744,177,664 channels"),
    "keras stem": (CELL + "evaluate keras { stem = 1_000_000_000 }\nsearch random\n",
                   "`stem` must be an integer in [1, 16384], got 1000000000"),
    "keras batch_size": (CELL + "evaluate keras { batch_size = 1_000_000_000 }\nsearch random\n",
                         "`batch_size` must be an integer in [1, 65536], got 1000000000"),
    "global filters": ("space global { layers = 3; filters = [16, 1_000_000_000] }\n" + PYTHON
                       + "search random\n", "`filters` must be an integer in [1, 16384], "
                       "got 1000000000"),
    "workers": (CELL + PYTHON + "search random\nrun { workers = 1024 }\n",
                "`workers` must be an integer in [1, 256], got 1024"),
}


def _where(text: str) -> tuple[int, int]:
    """Line and column of the last big number (or list, or call) the bomb writes."""
    lines = text.splitlines()
    for i in reversed(range(len(lines))):
        for pattern in (r"1_000_000_000\w*", r"\[8,", r"1024", r"stacks = (40)"):
            found = re.search(pattern, lines[i])
            if found:
                start = found.start(1) if found.groups() else found.start()
                return i + 1, start + 1
    raise AssertionError(text)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_bomb_is_refused_at_its_value_with_the_bound_and_the_value(name):
    body, message = BOMBS[name]
    if name == "ppo batch":  # with a time budget no evaluation count holds the batch back
        text = HEAD.replace("10 evaluations", "1 hours") + body
    else:
        text = HEAD + body
    with pytest.raises(DslError, match=re.escape(message)) as info:
        loads(text, "exp.nas")
    assert (info.value.line, info.value.column) == _where(text)


def test_check_refuses_every_bomb_in_under_2_gb_and_20_seconds(tmp_path: Path):
    paths = []
    for i, name in enumerate(sorted(BOMBS)):
        path = tmp_path / f"bomb{i}.nas"
        path.write_text(HEAD + BOMBS[name][0])
        paths.append(path)
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", *map(str, paths)],
                          capture_output=True, text=True, timeout=20,
                          preexec_fn=limited(2 * 2**30))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for path in paths:
        assert re.search(rf"{re.escape(path.name)}:\d+:\d+: error: ", done.stderr), path.name


def test_the_bounds_are_the_declared_types_bounds():
    """One declaration per bound: `nasdsl list` and the language read the same type."""
    def param(kind: str, name: str, key: str):
        return {p.name: p for p in lookup(kind, name).parameters}[key].type

    assert param("optimizer", "regularized_evolution", "population") == IntType(1, MAX_POPULATION)
    assert param("optimizer", "dqn", "replay") == IntType(1, MAX_REPLAY)
    filters = param("space", "global", "filters")
    assert isinstance(filters, ListType) and filters.item == IntType(1, MAX_CHANNELS)
    from nasdsl.dsl.schema import RUN
    assert RUN["workers"].type == IntType(1, MAX_WORKERS)


def test_the_bound_itself_is_accepted():
    text = HEAD + CELL + PYTHON + ("search regularized_evolution { population = 100_000; "
                                   "sample = 100_000 }\nsearch dqn { replay = 10_000_000; "
                                   "network = lstm(units = 4096) }\nrun { workers = 256 }\n")
    plan = loads(text, "exp.nas")
    assert plan.execution.workers == 256


def test_nasdsl_list_shows_each_bound(capsys, monkeypatch):
    from nasdsl.cli.listing import list_names

    monkeypatch.setenv("COLUMNS", "200")  # one line per setting
    list_names("algorithms")
    listing = capsys.readouterr().out
    assert "replay = 2000  # replay memory size (transitions); at most 10,000,000" in listing
    assert "population = 100  # population size; at most 100,000" in listing


def test_python_callers_meet_the_same_bounds():
    from nasdsl.evaluators.keras_training import KerasEvaluator
    from nasdsl.optimizers.bananas import Bananas
    from nasdsl.optimizers.evolution import RegularizedEvolution
    from nasdsl.optimizers.local_search import LocalSearch
    from nasdsl.spaces import CellSpace

    space = CellSpace()
    with pytest.raises(ValueError, match=r"population must be an integer in \[1, 100000\]"):
        RegularizedEvolution(space, population=10**9, sample=2)
    with pytest.raises(ValueError, match="initial must be an integer in"):
        LocalSearch(space, initial=10**9)
    with pytest.raises(ValueError, match="ensemble must be an integer in"):
        Bananas(space, ensemble=10**9)
    with pytest.raises(ValueError, match="cells must be an integer in"):
        KerasEvaluator(cells=10**9)
