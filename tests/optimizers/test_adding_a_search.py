"""Adding a search to nasdsl touches its module and one registry line, as docs/extending.md
shows: the page's module and line, added as written, give a built-in that the language
checks, `nasdsl list` shows (in the slow set: listing asks pygmo about its algorithms), and
`nasdsl run` runs and journals."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "extending.md"

COMMANDS = '''\
"""nasdsl's commands, one after another in one process, with the page's module at
nasdsl/optimizers/hill_climb.py and its registry line; each command's exit status and output
into results.json."""
import contextlib
import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest

from nasdsl import registry

spec = importlib.util.spec_from_file_location("nasdsl.optimizers.hill_climb", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
registry.BUILT_IN["optimizer"].update(eval("{" + sys.argv[2] + "}"))

from nasdsl.cli import main

results = []
for settings, args in json.loads(sys.argv[3]):
    Path("exp.nas").write_text(Path("exp.template").read_text().replace("SETTINGS", settings))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as e:
            code = e.code
    results.append([code, out.getvalue(), err.getvalue()])
Path("results.json").write_text(json.dumps(results))
'''
EVALUATOR = '''\
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Ops(Evaluator):
    """Larger cells score higher: enough for a search to climb."""

    metrics = ("validation_accuracy",)

    def evaluate(self, x, seed=None):
        score = len(x.ops) / 10
        return Result(fitness=score, metrics={"validation_accuracy": score})
'''
EXPERIMENT = """\
experiment climbing
seed = 2
repeat = 2
budget = 40 evaluations
space cell { vertices = 7; edges = 9 }
evaluate "cell_ops:Ops"
search hill_climb { SETTINGS }
output = "out"
"""


def _page_parts() -> tuple[str, str]:
    """The module of "Write your own search algorithm" and the `+` line of "Adding it to
    nasdsl itself", as the page writes them."""
    text = PAGE.read_text()
    own = text.split("## Write your own search algorithm", 1)[1].split("\n## ", 1)[0]
    module = re.search(r"```python\n(.*?)```", own, re.S).group(1)
    adding = text.split("## Adding it to nasdsl itself", 1)[1].split("\n## ", 1)[0]
    diff = re.search(r"```diff\n(.*?)```", adding, re.S).group(1)
    (line,) = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+")]
    return module, line


def _commands(folder: Path, commands: list[tuple[str, list[str]]]) -> list[list]:
    """(exit status, stdout, stderr) of each (settings of the search, command arguments)."""
    module, line = _page_parts()
    (folder / "hill_climb.py").write_text(module)
    (folder / "commands.py").write_text(COMMANDS)
    (folder / "cell_ops.py").write_text(EVALUATOR)
    (folder / "exp.template").write_text(EXPERIMENT)
    done = subprocess.run([sys.executable, str(folder / "commands.py"),
                           str(folder / "hill_climb.py"), line, json.dumps(commands)],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((folder / "results.json").read_text())


def test_the_page_adds_one_registry_line_for_its_module():
    _, line = _page_parts()
    assert line == '"hill_climb": "nasdsl.optimizers.hill_climb:HillClimb",'


def test_a_search_added_with_its_module_and_one_line_is_a_built_in(tmp_path):
    misspelt, refused, done = _commands(tmp_path, [
        ("patiance = 5", ["check", "exp.nas"]),
        ("patience = 3; batch = 4", ["check", "exp.nas"]),
        ("patience = 5", ["run", "exp.nas"])])
    assert misspelt[0] == 2 and "did you mean `patience`?" in misspelt[2], misspelt
    assert refused[0] == 2 and "`batch` must not exceed `patience`" in refused[2], refused
    assert done[0] == 0, done[2][-3000:]
    db = sqlite3.connect(tmp_path / "out" / "journal.sqlite")
    runs = db.execute("SELECT status, evaluations FROM runs").fetchall()
    assert runs == [("finished", 40), ("finished", 40)]
    (algorithm,) = db.execute("SELECT DISTINCT algorithm FROM configs").fetchone()
    assert algorithm == "hill_climb"


@pytest.mark.slow
def test_nasdsl_list_shows_the_added_search_among_the_built_ins(tmp_path):
    ((status, out, err),) = _commands(tmp_path, [("", ["list", "algorithms"])])
    assert status == 0, err
    assert re.search(r"^hill_climb\b.*\n(.*\n)*?    patience\b", out, re.M), out
