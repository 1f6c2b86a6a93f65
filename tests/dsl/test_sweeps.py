"""Sweeps: Cartesian products, zipped sweeps, sweeps inside calls and in every block."""
from __future__ import annotations

from nasdsl.dsl import loads
from nasdsl.plan import Budget, Call

HEAD = "budget = 10 evals\nspace cell { }\nevaluate nasbench101 { }\n"


def test_separate_sweeps_combine_as_a_product_in_file_order():
    plan = loads(HEAD + "search regularized_evolution {\n population in [10, 20]\n"
                 " sample in [2, 3, 4]\n}\n")
    assert [(c.swept["population"], c.swept["sample"]) for c in plan.configs] == [
        (10, 2), (10, 3), (10, 4), (20, 2), (20, 3), (20, 4)]
    assert [c.settings["sample"] for c in plan.configs] == [2, 3, 4, 2, 3, 4]


def test_zipped_sweep_expands_together():
    plan = loads(HEAD + "search regularized_evolution { (population, sample) in "
                 "[(10, 2), (30, 5)] }\n")
    assert [dict(c.swept) for c in plan.configs] == [{"population": 10, "sample": 2},
                                                    {"population": 30, "sample": 5}]


def test_sweep_inside_call_arguments():
    plan = loads(HEAD + "search regularized_evolution {\n"
                 " mutation = grow(add_node in [0.01, 0.05], add_connection = 0.1) }\n")
    assert [c.swept for c in plan.configs] == [{"mutation.add_node": 0.01},
                                               {"mutation.add_node": 0.05}]
    assert plan.configs[1].settings["mutation"] == Call("grow", {"add_node": 0.05,
                                                                 "add_connection": 0.1})
    assert plan.configs[1].key == "regularized_evolution[mutation.add_node=0.05]"


def test_top_space_evaluate_and_search_sweeps_all_apply_to_each_search():
    text = ("budget in [10 evals, 20 evals]\nspace cell { edges in [5, 9] }\n"
            "evaluate nasbench101 { epochs in [36, 108] }\nsearch random\n"
            "search regularized_evolution { population in [30, 40] }\n")
    plan = loads(text)
    random = [c for c in plan.configs if c.label == "random"]
    evolution = [c for c in plan.configs if c.label == "regularized_evolution"]
    assert len(random) == 8 and len(evolution) == 16
    assert list(evolution[0].swept) == ["budget", "space.edges", "evaluate.epochs",
                                        "population"]
    assert evolution[-1].swept == {"budget": Budget(20, "evaluations"), "space.edges": 9,
                                   "evaluate.epochs": 108, "population": 40}
    assert evolution[-1].space.settings["edges"] == 9
    assert evolution[-1].evaluator.settings["epochs"] == 108
    assert [c.index for c in plan.configs] == list(range(24))
    assert len({c.key for c in plan.configs}) == 24


def test_a_search_budget_overrides_a_swept_top_level_budget():
    plan = loads("budget in [10 evals, 20 evals]\nspace cell { }\nevaluate nasbench101 { }\n"
                 "search random { budget = 5 evals }\n")
    assert len(plan.configs) == 1
    assert plan.configs[0].budget == Budget(5, "evaluations") and plan.configs[0].swept == {}


def test_evaluator_call_argument_sweep_is_prefixed():
    plan = loads("budget = 1 h\nspace cell { }\nevaluate keras { optimizer = "
                 "adam(learning_rate in [0.01, 0.001]) }\nsearch random\n")
    assert [c.swept for c in plan.configs] == [{"evaluate.optimizer.learning_rate": 0.01},
                                               {"evaluate.optimizer.learning_rate": 0.001}]


def test_runs_repeat_every_configuration_with_paired_seeds():
    plan = loads("seed = 7\nrepeat = 3\n" + HEAD +
                 "search regularized_evolution { sample in [2, 4] }\nsearch random\n")
    assert [(r.config.key, r.seed) for r in plan.runs][:4] == [
        ("regularized_evolution[sample=2]", 7), ("regularized_evolution[sample=2]", 8),
        ("regularized_evolution[sample=2]", 9), ("regularized_evolution[sample=4]", 7)]
    assert len(plan.runs) == 9
