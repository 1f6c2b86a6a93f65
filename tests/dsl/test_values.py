"""Each value form of the language compiles to the documented Python value."""
from __future__ import annotations

from pathlib import Path

import pytest

from nasdsl.dsl import loads, parse
from nasdsl.dsl import ast
from nasdsl.errors import DslError
from nasdsl.plan import Budget, Call

BASE = """
budget = 10 evaluations
space cell { }
evaluate nasbench101 { }
search random
"""


def _python_settings(body: str) -> dict:
    text = f'budget = 10 evals\nspace cell {{ }}\nevaluate "json:loads" {{\n{body}\n}}\nsearch random\n'
    return dict(loads(text).configs[0].evaluator.settings)


@pytest.mark.parametrize("literal, value", [
    ("42", 42), ("1_000", 1000), ("-3", -3), ("0.1", 0.1), ("1e-3", 1e-3), ("2.5e6", 2.5e6),
    ("1_0.5", 10.5), ("true", True), ("false", False), ("conv3x3", "conv3x3"),
    ("pygmo.gaco", "pygmo.gaco"), ('"results/run"', "results/run"),
    (r'"a \"quoted\" word"', 'a "quoted" word'), (r'"back\\slash"', "back\\slash"),
    ("[conv1x1, conv3x3,]", ["conv1x1", "conv3x3"]), ("[]", []), ("(100, 25)", (100, 25)),
    ("(1,)", (1,)), ("5..9", (5, 9)), ("lstm(units = 64)", Call("lstm", {"units": 64})),
    ("npz(\"x.npz\")", Call("npz", {"_0": "x.npz"})), ("f()", Call("f", {})),
    ("[[1, 2], [3]]", [[1, 2], [3]]),
])
def test_value_form(literal, value):
    assert _python_settings(f"x = {literal}")["x"] == value


@pytest.mark.parametrize("quantity, budget", [
    ("1500 evaluations", Budget(1500, "evaluations")), ("7 evals", Budget(7, "evaluations")),
    ("5e6 seconds", Budget(5e6, "seconds")), ("90 s", Budget(90, "seconds")),
    ("30 minutes", Budget(1800, "seconds")), ("2 min", Budget(120, "seconds")),
    ("2 hours", Budget(7200, "seconds")), ("1.5 h", Budget(5400, "seconds")),
    ("1e4 evaluations", Budget(10_000, "evaluations")), ("2.5e3 evals", Budget(2500, "evaluations")),
])
def test_budget_quantities(quantity, budget):
    plan = loads(BASE.replace("10 evaluations", quantity))
    assert plan.configs[0].budget == budget
    if budget.unit == "evaluations":  # a count, whatever way it was written
        assert type(plan.configs[0].budget.amount) is int


@pytest.mark.parametrize("quantity, message", [
    ("2.5 evaluations", "`budget` must be a whole number of evaluations, got 2.5 evaluations"),
    ("1.5e0 evals", "`budget` must be a whole number of evaluations, got 1.5 evals"),
    ("2.5 epochs", "`budget` must be a whole number of epochs, got 2.5 epochs"),
    ("600 epochs", "an epochs budget needs a multi-fidelity search (successive_halving, "
                   "hyperband, asha); `search random` spends evaluations or time"),
    ("1 epoch", "an epochs budget needs a multi-fidelity search (successive_halving, "
                "hyperband, asha); `search random` spends evaluations or time"),
])
def test_budget_quantities_refused(quantity, message):
    with pytest.raises(DslError) as info:
        loads(BASE.replace("10 evaluations", quantity))
    assert info.value.message == message


def test_statements_end_at_semicolons_and_comments_are_ignored():
    plan = loads("seed = 3; repeat = 2 # two runs\nbudget = 5 evals;;\n"
                 "space cell { vertices = 5; edges = 6 }   # tiny\n"
                 "evaluate nasbench101 { fitness = validation_accuracy }; search random")
    assert (plan.seed, plan.repeat) == (3, 2)
    assert plan.configs[0].space.settings["vertices"] == 5


def test_lists_and_calls_may_span_lines():
    plan = loads(BASE.replace("space cell { }", "space cell {\n  ops = [\n    conv1x1,\n"
                              "    conv3x3,\n  ]\n}") + "search regularized_evolution {\n"
                 "  mutation = grow(\n    add_node = 0.2,\n    add_connection = 0.3\n  )\n}\n")
    assert plan.configs[0].space.settings["ops"] == ["conv1x1", "conv3x3"]
    assert plan.configs[1].settings["mutation"] == Call("grow", {"add_node": 0.2,
                                                                 "add_connection": 0.3})


def test_bare_name_is_a_call_with_defaults():
    plan = loads(BASE + "search regularized_evolution as flipper { mutation = flip }\n")
    assert plan.configs[1].settings["mutation"] == Call("flip", {"rate": 1.0})
    assert plan.configs[1].label == "flipper"


def test_positional_call_arguments_follow_the_table_order():
    plan = loads(BASE + "search dqn { epsilon = decay(0.9, 0.1, 50) }\n")
    assert plan.configs[1].settings["epsilon"] == Call("decay", {"start": 0.9, "end": 0.1,
                                                                 "steps": 50})


def test_keras_dataset_npz_and_optimizer_defaults_fill_in():
    plan = loads('budget = 1 h\nspace global { layers = 3..6 }\n'
                 'evaluate keras { dataset = npz("data/x.npz"); optimizer = sgd(momentum = 0.9);'
                 ' subset = 500 }\nsearch random\n')
    settings = plan.configs[0].evaluator.settings
    assert settings["dataset"] == Call("npz", {"path": "data/x.npz"})
    assert settings["optimizer"] == Call("sgd", {"learning_rate": 0.01, "momentum": 0.9})
    assert settings["subset"] == 500
    assert plan.configs[0].space.settings["layers"] == (3, 6)
    assert plan.configs[0].space.settings["filters"] == [16, 32, 64, 128]


def test_experiment_header_default_output_and_file_stem():
    plan = loads('experiment "my-exp"\n' + BASE)
    assert plan.experiment == "my-exp" and plan.output == Path("results/my-exp")
    assert loads(BASE, "dir/some_file.nas").experiment == "some_file"
    assert loads(BASE).experiment == "experiment"


@pytest.mark.parametrize("name, folder", [("hidden forms", "results/hidden_forms"),
                                          ("a/b", "results/a_b"),
                                          ("../../etc", "results/_.._etc"),
                                          ("ümlaut: test!", "results/_mlaut_test_"),
                                          ("...", "results/experiment")])
def test_any_string_names_an_experiment_and_its_default_folder_stays_in_results(name, folder):
    plan = loads(f'experiment "{name}"\n' + BASE)
    assert plan.experiment == name
    assert plan.output == Path(folder)
    assert plan.output.parent == Path("results") and ".." not in plan.output.parts


def test_an_empty_experiment_name_is_refused():
    with pytest.raises(DslError, match="must not be empty"):
        loads('experiment "  "\n' + BASE)


def test_search_without_braces_and_with_empty_braces_are_the_same():
    a = loads(BASE).configs[0]
    b = loads(BASE.replace("search random", "search random { }")).configs[0]
    assert a == b


def test_every_node_has_a_position():
    doc = parse("seed = 1\nspace cell {\n  ops = [conv1x1]\n}\n")
    setting, block = doc.statements
    assert setting.pos == ast.Pos(1, 1) and setting.value.pos == ast.Pos(1, 8)
    assert block.pos == ast.Pos(2, 1) and block.head.pos == ast.Pos(2, 7)
    ops = block.body[0]
    assert ops.pos == ast.Pos(3, 3)
    assert ops.value.items[0].pos == ast.Pos(3, 10)


def test_pygmo_default_ker_is_replaced_with_a_note():
    plan = loads(BASE + "search pygmo.gaco { population = 12 }\n")
    assert plan.configs[1].settings["ker"] == 12
    assert any("ker" in note and "12" in note for note in plan.notes)


def test_pygmo_keywords_are_checked_by_pygmo_itself():
    with pytest.raises(DslError) as info:
        loads(BASE + 'search pygmo.sga { crossover = "nonsense" }\n')
    assert "pygmo.sga" in info.value.message and info.value.line == 6


def test_search_budget_replaces_the_top_level_one():
    plan = loads(BASE + "search random as short { budget = 3 evals }\n")
    assert [c.budget for c in plan.configs] == [Budget(10, "evaluations"),
                                                Budget(3, "evaluations")]


def test_defaults_are_not_shared_between_plans():
    first = loads(BASE)
    first.configs[0].space.settings["ops"].append("conv5x5")
    assert loads(BASE).configs[0].space.settings["ops"] == ["conv1x1", "conv3x3", "maxpool3x3"]
