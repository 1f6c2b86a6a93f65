"""The registry: built-in names, installed entry points (here an evaluator, a real
distribution's metadata on the import path) and what the language makes of them."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from nasdsl import registry
from nasdsl.dsl import loads
from nasdsl.errors import DslError
from nasdsl.evaluators import make_evaluator

PLUGIN = '''
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result
from nasdsl.settings import NumberType, Param, SettingError


class Ones(Evaluator):
    """Scores a bit string by its share of ones, times `scale`."""

    parameters = (Param("scale", NumberType(0.0, lo_open=True), 1.0, "multiplies the score"),
                  Param("floor", NumberType(0.0), 0.0, "lowest score"))

    @classmethod
    def validate(cls, review):
        if review.values["floor"] > review.values["scale"]:
            raise SettingError("`floor` must not exceed `scale`", "floor")

    def __init__(self, scale=1.0, floor=0.0):
        self.scale, self.floor = scale, floor

    @property
    def metrics(self):
        return ("score",)

    def evaluate(self, x, seed=None):
        score = max(self.scale * sum(x) / len(x), self.floor)
        return Result(fitness=score, metrics={"score": score})
'''
ENTRY_POINTS = """\
[nasdsl.evaluators]
ones = toy_evaluators:Ones
nasbench101 = toy_evaluators:Ones
"""
FILE = """\
budget = 10 evaluations
space cell {{ }}
evaluate ones {{ {settings} }}
search random
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "toy_evaluators.py").write_text(textwrap.dedent(PLUGIN))
    info = tmp_path / "toy_evaluators-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-evaluators\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_built_in_names_need_no_installed_package():
    assert {"random", "regularized_evolution", "dqn"} <= set(registry.names("optimizer"))
    assert "pygmo.NAME" in registry.names("optimizer", families=False)
    assert registry.names("space")[:2] == ["cell", "global"]
    assert registry.lookup("evaluator", "nasbench101").__name__ == "NASBench101Evaluator"


def test_an_installed_evaluator_joins_the_language(installed: Path):
    assert "ones" in registry.names("evaluator")
    plan = loads(FILE.format(settings="scale = 2"))
    spec = plan.configs[0].evaluator
    assert (spec.kind, dict(spec.settings)) == ("ones", {"scale": 2.0, "floor": 0.0})
    assert make_evaluator(spec).evaluate((1, 0, 1, 1)).fitness == 1.5


def test_an_installed_evaluator_is_checked_like_a_built_in(installed: Path):
    with pytest.raises(DslError) as misspelt:
        loads(FILE.format(settings="scael = 2"))
    assert (misspelt.value.line, misspelt.value.column) == (3, 17)
    assert misspelt.value.suggestion == "scale"
    with pytest.raises(DslError) as refused:
        loads(FILE.format(settings="scale = 1; floor = 3"))
    assert (refused.value.line, refused.value.column) == (3, 36)
    assert refused.value.message == "`floor` must not exceed `scale`"


def test_a_built_in_name_wins_over_an_entry_point(installed: Path):
    assert registry.lookup("evaluator", "nasbench101").__name__ == "NASBench101Evaluator"
    assert registry.names("evaluator").count("nasbench101") == 1


def test_an_unknown_name_lists_every_accepted_one(installed: Path):
    with pytest.raises(registry.ComponentError) as e:
        registry.lookup("evaluator", "onez")
    assert e.value.unknown and {"nasbench101", "keras", "ones"} <= set(e.value.accepted)


@pytest.mark.parametrize("name", ["os:system", "journal_named_module:Space", "pygmo.*",
                                  "ones"])
def test_built_in_gives_nasdsl_s_own_components_and_imports_nothing_else(tmp_path, monkeypatch,
                                                                          name):
    """What reads results resolves names from the built-in table alone: a `module:attr`, a
    family, an entry point is refused before anything is imported."""
    (tmp_path / "journal_named_module.py").write_text(
        f"open({str(tmp_path / 'imported')!r}, 'w').close()\nSpace = dict\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(registry.ComponentError, match="is not one of nasdsl's own"):
        registry.built_in("space", name)
    assert not (tmp_path / "imported").exists()
    assert registry.built_in("space", "cell").__name__ == "CellSpace"
