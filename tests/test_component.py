"""A name resolves once into a record that supplies what its class does not declare: the
language keeps the record with the plan, the checks and the run read it and never resolve
the name again, and it never travels to another process."""
from __future__ import annotations

import pickle
import uuid
from pathlib import Path

import pytest

from nasdsl.component import DECLARATIONS, Component
from nasdsl.dsl import load
from nasdsl import registry
from nasdsl.registry import evaluator_of, optimizer_of, resolve
from nasdsl.runner import plan_problems
from nasdsl.spaces import CellSpace

MODULE = '''\
from nasdsl.optimizers.base import Optimizer


class Marked(Optimizer):
    """A search of the user's, with settings of its own."""

    def __init__(self, space, marker: str = "", steps: int = 3):
        super().__init__(space)

    def search(self, evaluate_batch, budget, rng):
        return evaluate_batch.history


class Bench:
    """NORD-style: declares nothing."""

    def descriptor_evaluate(self, descriptor):
        return 0.5, 1.0
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"user_component_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def test_a_class_that_declares_nothing_gets_every_default(module):
    bench = resolve("evaluator", f"{module}:Bench")
    assert bench.target and not bench.built_in
    assert {what: bench.declared(what) for what in DECLARATIONS["evaluator"]} == \
        DECLARATIONS["evaluator"]
    assert (bench.expensive, bench.wants_space, bench.retrains, bench.ops) == \
        (False, False, False, ())
    assert bench.describes_space  # a target may speak NORD's descriptor_evaluate
    assert bench.data_check("data_problems", {}, None, None, ()) == ()
    assert bench.fetch_data({}) == [] and bench.data_identity({}) is None
    search = resolve("optimizer", f"{module}:Marked")
    assert search.largest_batch({}) is None and search.reserved == {}
    assert search.outcome(object()) == {}


def test_a_built_in_s_declarations_are_read_from_its_class():
    keras = resolve("evaluator", "keras")
    assert keras.built_in and keras.expensive and keras.wants_space and keras.retrains
    nasbench = resolve("evaluator", "nasbench101")
    assert not nasbench.expensive and nasbench.declared("data_defaults") == ("report",)
    assert resolve("optimizer", "dqn").largest_batch({}) == 1


def test_the_plan_keeps_one_record_per_name_and_the_checks_resolve_none_again(
        tmp_path, module, monkeypatch):
    path = tmp_path / "exp.nas"
    path.write_text(f'budget = 20 evaluations\nspace cell {{ }}\n'
                    f'evaluate "{module}:Bench"\n'
                    f'search "{module}:Marked" {{ marker = "m"; steps in [1, 2] }}\n')
    plan = load(path)
    first, second = plan.configs
    assert first.component is second.component is optimizer_of(first)
    assert first.evaluator.component is second.evaluator.component is evaluator_of(
        first.evaluator)
    assert first.space.component.obj is CellSpace

    def again(*args):
        raise AssertionError(f"resolved again: {args}")

    monkeypatch.setattr(registry, "resolve", again)
    monkeypatch.setattr(registry, "named_target", again)
    assert plan_problems(plan) == []


def test_a_setting_the_search_does_not_declare_is_refused_once_before_the_run(module):
    from dataclasses import replace

    from nasdsl.plan import Budget, EvaluatorSpec, Plan, SearchConfig, SpaceSpec

    config = SearchConfig("m", f"{module}:Marked", {"stepz": 2}, {}, Budget(5, "evaluations"),
                          SpaceSpec("cell", {}), EvaluatorSpec("python", {}, f"{module}:Bench"))
    plan = Plan("p", None, 0, 1, Path("out"), (config,))
    assert plan_problems(plan) == [f"search {module}:Marked: unknown setting 'stepz'"]
    assert plan_problems(replace(plan, configs=(replace(config, settings={}),))) == []


def test_a_space_without_an_environment_is_refused_by_a_controller():
    from nasdsl.optimizers import make_optimizer
    from nasdsl.settings import SettingError

    class Plain(CellSpace):
        def environment(self):
            return super(CellSpace, self).environment()

    for controller in ("dqn", "ppo"):
        with pytest.raises(SettingError, match="Plain offers no decision environment"):
            make_optimizer(controller, Plain(), {})
    make_optimizer("random", Plain(), {})  # a search that needs none


def test_a_record_does_not_travel_to_another_process(module):
    record = resolve("optimizer", f"{module}:Marked")
    assert isinstance(record, Component)
    assert pickle.loads(pickle.dumps(record)) is None
