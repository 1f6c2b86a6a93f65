"""`objectives = [maximize(m), minimize(m)]` in the language: compiled into the plan, refused
beside `fitness`, and matched against the searches that take it, at the search's line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from nasdsl.dsl import loads
from nasdsl.errors import DslError
from nasdsl.objectives import Objective, objectives_of

OBJECTIVES = "objectives = [maximize(test_accuracy), minimize(parameters)]"


def _file(evaluate: str, *searches: str) -> str:
    return ("budget = 100 evaluations\nspace cell { }\n"
            f"evaluate nasbench101 {{ {evaluate} }}\n" + "\n".join(searches) + "\n")


def _refusal(text: str) -> DslError:
    with pytest.raises(DslError) as e:
        loads(text)
    return e.value


def test_objectives_compile_into_the_evaluators_settings_and_replace_fitness():
    plan = loads(_file(OBJECTIVES, "search random", "search pareto_local_search",
                       "search pygmo.nsga2 { population = 20 }"))
    for config in plan.configs:
        assert objectives_of(config.evaluator.settings) == (
            Objective("test_accuracy", "maximize"), Objective("parameters", "minimize"))
        assert config.evaluator.settings["fitness"] is None


def test_random_takes_either():
    assert loads(_file("fitness = test_accuracy", "search random")).configs
    assert loads(_file(OBJECTIVES, "search random")).configs


def test_a_single_objective_search_refuses_objectives_at_its_line():
    e = _refusal(_file(OBJECTIVES, "search random", "search regularized_evolution"))
    assert e.line == 5 and "maximizes one fitness" in str(e)
    assert "pareto_local_search" in str(e) + str(e.suggestion) + " ".join(e.accepted)


def test_a_multi_objective_search_refuses_fitness_at_its_line():
    e = _refusal(_file("fitness = test_accuracy", "search random",
                       "search pygmo.nsga2 { population = 20 }"))
    assert e.line == 5 and "multi-objective" in str(e) and "objectives" in str(e)
    e = _refusal(_file("", "search pareto_local_search"))  # the default fitness counts too
    assert e.line == 4


@pytest.mark.parametrize("evaluate, words", [
    ("fitness = test_accuracy; " + OBJECTIVES, ["`fitness` and `objectives` exclude"]),
    ("objectives = [maximize(test_accuracy)]", ["at least two"]),
    ("objectives = [maximize(test_accuracy), minimize(test_accuracy)]", ["twice"]),
    ("objectives = [maximise(test_accuracy), minimize(parameters)]", ["maximise", "maximize"]),
    ("objectives = [maximize(test_acuracy), minimize(parameters)]", ["test_acuracy"]),
])
def test_bad_objectives_are_refused_with_the_line(evaluate, words):
    e = _refusal(_file(evaluate, "search random"))
    text = str(e) + " " + str(e.suggestion)
    assert e.line == 3
    for word in words:
        assert word in text


def test_pygmo_defaults_that_cannot_work_with_the_population_are_lowered_and_said():
    plan = loads(_file(OBJECTIVES, "search pygmo.moead { population = 20 }",
                       "search pygmo.maco { population = 20 }",
                       "search pygmo.nsga3 { population = 8 }"))
    moead, maco, nsga3 = (dict(c.settings) for c in plan.configs)
    assert moead["neighbours"] == 19 and maco["ker"] == 20 and nsga3["divisions"] == 7
    notes = " ".join(plan.notes)
    assert "`neighbours` = 20 cannot work with the population (20)" in notes
    assert "`divisions` = 12" in notes


def test_list_algorithms_says_which_are_multi_objective():
    out = subprocess.run([sys.executable, "-m", "nasdsl.cli", "list", "algorithms"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    lines = {line.split()[0]: line for line in out.splitlines() if line and line[0] != " "}
    assert "[single- or multi-objective]" in lines["random"]
    assert "[multi-objective]" in lines["pareto_local_search"]
    for name in ("nsga2", "nsga3", "moead", "moead_gen", "nspso", "maco"):
        assert "[multi-objective]" in lines[f"pygmo.{name}"], name
    assert "[single- or multi-objective]" in lines["pygmo.ihs"]
    assert "multi-objective" not in lines["regularized_evolution"]
