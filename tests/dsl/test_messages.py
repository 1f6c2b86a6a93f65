"""Small things a new user reads: articles, a hint to quote paths, and a list of algorithms
that holds only what can search here, in plain words."""
from __future__ import annotations

import re

import subprocess
import sys

import pytest

from nasdsl.dsl import loads
from nasdsl.dsl.compiler import multi_objective_names
from nasdsl.errors import DslError

BASE = "budget = 10 evals\nspace cell { }\nevaluate nasbench101 { }\nsearch random\n"


def test_a_block_given_twice_takes_the_right_article():
    with pytest.raises(DslError) as info:
        loads(BASE + "evaluate nasbench101 { }\n")
    assert info.value.message.startswith("an `evaluate` block is given twice (first on line 3)")
    with pytest.raises(DslError) as info:
        loads(BASE + "space cell { }\n")
    assert info.value.message.startswith("a `space` block is given twice")


@pytest.mark.parametrize("line, fix", [("output = results/x", 'output = "results/x"'),
                                       ("run { journal = /tmp/j.sqlite }",
                                        'journal = "/tmp/j.sqlite"')])
def test_an_unquoted_path_is_told_to_be_quoted(line, fix):
    with pytest.raises(DslError) as info:
        loads(BASE + line + "\n")
    assert "a path is a string, in double quotes" in info.value.message
    assert info.value.suggestion == fix
    assert f"did you mean `{fix}`?" in str(info.value)


def test_list_algorithms_shows_only_what_can_search_here_in_plain_words():
    pytest.importorskip("pygmo")
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "list", "algorithms"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    names = [line.split()[0] for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert "pygmo.pso" in names and "pygmo.gaco" in names
    for unusable in ("pygmo.scipy_optimize", "pygmo.ipopt"):
        assert unusable not in names
    assert "pygmo.nsga2" in names and "pygmo.moead" in names  # with `objectives`
    assert ":class:" not in done.stdout and ":func:" not in done.stdout
    pso_gen = _entry(done.stdout, "pygmo.pso_gen")
    assert "identical to `pso`" in pso_gen and pso_gen.endswith(".")


def _entry(listing: str, name: str) -> str:
    """The help of `name` in a `nasdsl list` output, its wrapped comment lines joined."""
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if not line.startswith(" ") and line.split()[0] == name)
    column = lines[start].index("  # ") + 2
    text = [lines[start][column + 2:]]
    for line in lines[start + 1:]:
        if line[:column].strip() or line[column:column + 2] != "# ":
            break
        text.append(line[column + 2:])
    return " ".join(text)


def test_list_algorithms_prints_each_help_whole_wrapped_to_the_terminal(monkeypatch, capsys):
    from nasdsl.cli.listing import list_names
    from nasdsl.optimizers.bananas import Bananas
    from nasdsl.optimizers.local_search import LocalSearch

    monkeypatch.setenv("COLUMNS", "60")
    assert list_names("algorithms") == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 60
    for cls, name in ((LocalSearch, "local_search"), (Bananas, "bananas")):
        assert _entry(out, name) == " ".join(cls.__doc__.split("\n\n")[0].split())
        assert _entry(out, name).endswith(".")


def test_a_search_that_cannot_move_here_is_refused_with_the_reason():
    pytest.importorskip("pygmo")
    with pytest.raises(DslError) as info:
        loads(BASE.replace("search random", "search pygmo.scipy_optimize"))
    assert info.value.message.startswith("`pygmo.scipy_optimize` cannot search architectures")
    assert (info.value.line, info.value.column) == (4, 8)


def test_an_unknown_algorithm_lists_only_names_that_are_accepted():
    pytest.importorskip("pygmo")
    with pytest.raises(DslError) as info:
        loads(BASE.replace("search random", "search pygmo.nsga"))
    accepted = info.value.accepted
    assert "pygmo.pso" in accepted and "random" in accepted
    for refused in ("pygmo.scipy_optimize", "pygmo.ipopt"):
        assert refused not in accepted
    # every name offered is accepted: with a fitness, or (multi-objective ones) objectives
    several = set(multi_objective_names())
    single = [name for name in accepted if name not in several or name in ("random", "pygmo.ihs")]
    searches = "".join(f"search {name} as s{i}\n" for i, name in enumerate(single))
    plan = loads(BASE.replace("10 evals", "200 evals").replace("search random\n", searches))
    assert sorted({c.algorithm for c in plan.configs}) == sorted(single)
    aims = "evaluate nasbench101 { objectives = [maximize(test_accuracy), minimize(parameters)] }"
    searches = "".join(f"search {name} as s{i} {{ population = 20 }}\n" if "pygmo" in name
                       else f"search {name} as s{i}\n" for i, name in enumerate(several))
    text = BASE.replace("10 evals", "200 evals").replace("search random\n", searches)
    plan = loads(re.sub(r"evaluate nasbench101[^\n]*", aims, text))
    assert sorted({c.algorithm for c in plan.configs}) == sorted(several)


def test_an_unknown_op_lists_only_the_ops_the_evaluator_takes():
    with pytest.raises(DslError) as info:
        loads(BASE.replace("space cell { }", "space cell { ops = [conv3x3, avgpool3x] }"))
    assert info.value.accepted == ("conv1x1", "conv3x3", "maxpool3x3")
    assert info.value.suggestion == "maxpool3x3"  # not avgpool3x3, which NAS-Bench-101 lacks
    with pytest.raises(DslError) as info:  # a sweep's values too
        loads(BASE.replace("space cell { }", "space cell { ops in [[conv5x5], [avgpool3x]] }"))
    errors = info.value.errors
    assert errors[0].message == "op `conv5x5` is not in NAS-Bench-101"
    assert errors[1].accepted == ("conv1x1", "conv3x3", "maxpool3x3")
