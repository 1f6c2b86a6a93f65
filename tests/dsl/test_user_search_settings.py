"""A user's search class that declares no `parameters` takes its settings from its
constructor's signature: names, defaults (none: required) and annotations for types, checked
as declared settings are; a class with neither is refused with how to declare them."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from nasdsl.dsl import load
from nasdsl.errors import DslError, DslErrors
from nasdsl.optimizers import make_optimizer
from nasdsl.spaces import CellSpace

MODULE = '''\
from __future__ import annotations

from nasdsl.optimizers.base import Optimizer


class Climb(Optimizer):
    """Hill climbing with its settings named in the constructor only."""

    def __init__(self, space, patience: int = 20, rate: float = 0.5, greedy: bool = False,
                 tag: str | None = None, widths: list[int] | None = None, steps=3):
        super().__init__(space)
        self.patience, self.rate, self.greedy, self.tag = patience, rate, greedy, tag
        self.widths, self.steps = widths, steps

    def search(self, evaluate_batch, budget, rng):
        return evaluate_batch.history


class Deep(Climb):
    def __init__(self, space, depth: int, patience: int = 20):
        super().__init__(space, patience)


class Bare(Optimizer):
    def search(self, evaluate_batch, budget, rng):
        return evaluate_batch.history
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of the user's beside the experiment file, under a name of its own."""
    name = f"user_search_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def _load(tmp_path: Path, search: str):
    path = tmp_path / "exp.nas"
    path.write_text("budget = 20 evals\nspace cell { }\nevaluate nasbench101 { }\n"
                    f"{search}\n")
    return load(path)


def _errors(tmp_path: Path, search: str) -> list[DslError]:
    with pytest.raises(DslError) as info:
        _load(tmp_path, search)
    error = info.value
    return list(error.errors) if isinstance(error, DslErrors) else [error]


def test_settings_come_from_the_constructor_with_its_defaults_and_types(tmp_path, module):
    plan = _load(tmp_path, f'search "{module}:Climb" {{ patience = 30; rate = 1; '
                           'widths = [8, 16]; tag = "a" }')
    settings = plan.configs[0].settings
    assert settings == {"patience": 30, "rate": 1.0, "greedy": False, "tag": "a",
                        "widths": [8, 16], "steps": 3}
    search = make_optimizer(f"{module}:Climb", CellSpace(), settings)
    assert (search.patience, search.rate, search.widths) == (30, 1.0, [8, 16])


@pytest.mark.parametrize("setting, message", [
    ("patience = 2.5", "`patience` must be an integer, got 2.5"),
    ("greedy = 1", "`greedy` must be `true` or `false`, got 1"),
    ("rate = fast", "`rate` must be a number, got fast"),
    ("widths = [8, 1.5]", "`widths` must be an integer, got 1.5"),
    ("steps = true", "`steps` must be an integer, got true"),
])
def test_a_value_of_the_wrong_type_is_refused_at_its_place(tmp_path, module, setting, message):
    errors = _errors(tmp_path, f'search "{module}:Climb" {{ {setting} }}')
    assert [e.message for e in errors] == [message]
    assert errors[0].line == 4


def test_an_unknown_key_gets_a_did_you_mean(tmp_path, module):
    errors = _errors(tmp_path, f'search "{module}:Climb" {{ patiance = 5 }}')
    assert errors[0].suggestion == "patience"
    assert set(errors[0].accepted) >= {"patience", "rate", "greedy", "budget"}


def test_an_argument_without_default_is_required(tmp_path, module):
    errors = _errors(tmp_path, f'search "{module}:Deep"')
    assert [e.message for e in errors] == [f"`search {module}:Deep` needs `depth`"]
    assert _load(tmp_path, f'search "{module}:Deep" {{ depth = 3 }}').configs[0].settings == {
        "depth": 3, "patience": 20}


def test_a_class_with_no_settings_says_how_to_declare_them(tmp_path, module):
    errors = _errors(tmp_path, f'search "{module}:Bare" {{ patience = 5; budget = 9 evals }}')
    assert len(errors) == 1 and errors[0].column == len(f'search "{module}:Bare" {{ ') + 1
    assert errors[0].message.startswith(
        f'`search "{module}:Bare"` takes no settings, so `patience` is refused: name it in '
        "the class's constructor (`def __init__(self, space, patience=5)`) or "
        "declare it in `parameters`")
    assert _load(tmp_path, f'search "{module}:Bare" {{ budget = 9 evals }}').configs[0] \
        .settings == {}


EVALUATOR = '''\
def scorer(depth: int, scale: float = 1.0, **extra):
    return None


def strict(depth: int, scale: float = 1.0):
    return None
'''


def _evaluate(tmp_path: Path, module: str, block: str):
    (tmp_path / f"{module}_eval.py").write_text(EVALUATOR)
    path = tmp_path / "exp.nas"
    path.write_text(f"budget = 20 evals\nspace cell {{ }}\n{block}\nsearch random\n")
    return load(path)


def test_a_python_evaluator_is_checked_against_its_keyword_arguments(tmp_path, module):
    plan = _evaluate(tmp_path, module, f'evaluate "{module}_eval:strict" {{ depth = 2 }}')
    assert plan.configs[0].evaluator.settings == {"depth": 2}  # only what the file writes
    with pytest.raises(DslError) as info:
        _evaluate(tmp_path, module, f'evaluate "{module}_eval:strict" {{ dept = 2 }}')
    assert info.value.suggestion == "depth"
    with pytest.raises(DslError) as info:
        _evaluate(tmp_path, module, f'evaluate "{module}_eval:strict" {{ depth = 2.5 }}')
    assert info.value.message == "`depth` must be an integer, got 2.5"
    # `**extra` takes any keyword: nothing is refused
    plan = _evaluate(tmp_path, module, f'evaluate "{module}_eval:scorer" {{ anything = 2.5 }}')
    assert plan.configs[0].evaluator.settings == {"anything": 2.5}


def test_a_default_the_language_cannot_write_stays_the_constructors(tmp_path, module):
    (tmp_path / f"{module}_obj.py").write_text(
        "from nasdsl.optimizers.base import Optimizer\n\n\nclass Odd(Optimizer):\n"
        "    def __init__(self, space, rng=object(), size: int = 3):\n"
        "        super().__init__(space)\n\n    def search(self, evaluate_batch, budget, rng):\n"
        "        return evaluate_batch.history\n")
    plan = _load(tmp_path, f'search "{module}_obj:Odd"')
    assert plan.configs[0].settings == {"size": 3}
