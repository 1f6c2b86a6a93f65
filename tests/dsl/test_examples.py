"""The four examples of the language reference compile to the plans they describe."""
from __future__ import annotations

from pathlib import Path

import pytest

from nasdsl.dsl import load
from nasdsl.plan import Budget, Call

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def _load(name: str):
    return load(EXPERIMENTS / name)


def test_evolution_example_expands_the_zipped_sweep():
    plan = _load("nb101_official_evolution_example.nas")
    assert plan.experiment == "nb101_official_evolution_example"
    assert (plan.seed, plan.repeat) == (0, 10)
    assert plan.output == Path("results/nb101_official_evolution_example")
    assert [dict(c.swept) for c in plan.configs] == [
        {"population": 100, "sample": 2}, {"population": 100, "sample": 50},
        {"population": 20, "sample": 20}, {"population": 100, "sample": 25},
        {"population": 64, "sample": 16}]
    config = plan.configs[0]
    assert config.budget == Budget(1500, "evaluations")
    assert config.settings["mutation"] == Call("grow", {"add_node": 0.10, "add_connection": 0.15})
    assert config.space.settings == {"vertices": 7, "edges": 9,
                                     "ops": ["conv1x1", "conv3x3", "maxpool3x3"],
                                     "topology": "dag", "inputs": None}
    assert config.evaluator.kind == "nasbench101"
    assert config.evaluator.settings["report"] == ["test_accuracy", "training_time"]
    assert config.key == "regularized_evolution[population=100,sample=2]"
    assert len(plan.runs) == 50
    assert [r.seed for r in plan.runs[:10]] == list(range(10))
    assert [c.index for c in plan.configs] == [0, 1, 2, 3, 4]


def test_metaheuristics_example_runs_the_study_generations_on_the_shared_table():
    plan = _load("nb101_metaheuristics.nas")
    assert [(c.label, c.algorithm) for c in plan.configs] == [
        ("gaco", "pygmo.gaco"), ("pso", "pygmo.pso"), ("abc", "pygmo.bee_colony"),
        ("random", "random")]
    gaco, pso, abc, rand = plan.configs
    assert gaco.settings["ker"] == 13 and gaco.settings["oracle"] == 1e9
    assert pso.settings["variant"] == 1 and pso.settings["neighb_type"] == 1
    assert abc.settings == {"generations": 50, "population": 30, "limit": 20}
    assert rand.settings == {}
    # each budget is what 50 generations of 30 spend: pygmo evaluates the initial population
    # too, and ABC evaluates every bee twice a generation
    assert [c.budget.amount for c in plan.configs] == [1530, 1530, 3030, 1500]
    assert {c.evaluator.settings["fitness"] for c in plan.configs} == {"test_accuracy"}
    assert len(plan.runs) == 40
    assert plan.notes == ()


def test_dqn_example_has_two_labels_times_two_target_settings():
    plan = _load("nb101_dqn.nas")
    assert [c.key for c in plan.configs] == [
        "dense[target_network=false]", "dense[target_network=true]",
        "lstm[target_network=false]", "lstm[target_network=true]"]
    assert plan.configs[0].settings["network"] == Call("dense", {"units": [64, 64]})
    assert plan.configs[2].settings["network"] == Call("lstm", {"units": 64})
    assert plan.configs[0].space.settings["topology"] == "chain"
    assert plan.configs[0].evaluator.settings["fitness"] == "test_accuracy"
    # decay steps default to the evaluation budget
    assert plan.configs[0].settings["epsilon"] == Call(
        "decay", {"start": 1.0, "end": 0.05, "steps": 1000})
    assert plan.configs[0].budget == Budget(1000, "evaluations")


def test_dqn_wide_example_limits_inputs_to_two():
    plan = _load("nb101_dqn_wide.nas")
    assert [c.key for c in plan.configs] == ["lstm[target_network=false]",
                                             "lstm[target_network=true]"]
    assert plan.configs[0].space.settings["inputs"] == 2
    assert plan.configs[0].settings["epsilon"].args["steps"] == 2000


def test_fashion_example_sweeps_the_space_and_sets_final_and_run():
    plan = _load("fashion_global_pso.nas")
    assert [c.swept for c in plan.configs] == [{"space.layers": 5}, {"space.layers": 7},
                                               {"space.layers": 9}]
    assert [c.space.settings["layers"] for c in plan.configs] == [5, 7, 9]
    evaluator = plan.configs[0].evaluator
    assert evaluator.kind == "keras"
    assert evaluator.settings["optimizer"] == Call("adam", {"learning_rate": 0.001})
    assert evaluator.settings["validation"] == 0.1
    assert plan.final is not None and (plan.final.top, plan.final.epochs) == (3, 50)
    assert plan.execution.workers == 2
    assert plan.journal_path == Path("results/fashion_global_pso/journal.sqlite")
    assert plan.repeat == 1


@pytest.mark.parametrize("name", sorted(p.name for p in EXPERIMENTS.glob("*.nas")))
def test_every_experiment_file_compiles(name):
    plan = _load(name)
    assert plan.configs
    assert len({c.key for c in plan.configs}) == len(plan.configs)


def test_no_two_experiments_share_a_name_or_an_output_folder():
    plans = [load(path) for path in sorted(EXPERIMENTS.glob("*.nas"))]
    names = [p.experiment for p in plans]
    outputs = [p.output for p in plans]
    assert len(set(names)) == len(names), names
    assert len(set(outputs)) == len(outputs), outputs
