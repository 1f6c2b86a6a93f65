"""A file with several mistakes is refused once, with every mistake in line order, each with
its caret and suggestion; consequences of a refused statement are not reported again."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nasdsl.dsl import loads
from nasdsl.errors import MAX_ERRORS, DslError, DslErrors

SIX = """\
experiment six
seed = -1
budget = 100 evaluations
space cell { vertices = 9 }
evaluate nasbench101 { fitness = test_acuracy; report = [test_accuracy] }
search random
search regularized_evolution { populaton = 10; sample = 5; mutation = flop }
search regularized_evolution as re2 { population = 10; sample = 50 }
run { workers = 0 }
"""


def _errors(text: str) -> list[DslError]:
    with pytest.raises(DslError) as info:
        loads(text, "six.nas")
    error = info.value
    return list(error.errors) if isinstance(error, DslErrors) else [error]


def test_every_mistake_of_a_file_is_reported_in_line_order():
    errors = _errors(SIX)
    assert [(e.line, e.column) for e in errors] == [(2, 8), (4, 25), (5, 34), (7, 32), (7, 71),
                                                    (8, 65), (9, 17)]
    messages = [e.message for e in errors]
    assert messages[0] == "`seed` must be an integer in [0, 4611686018427387904], got -1"
    assert messages[1] == "`vertices` must be ≤ 7 with `evaluate nasbench101` (got 9)"
    assert errors[2].suggestion == "test_accuracy"
    assert errors[3].suggestion == "population" and errors[4].suggestion == "flip"
    assert messages[5] == "`sample` must not exceed `population` (10), got 50"
    assert messages[6] == "`workers` must be an integer in [1, 256], got 0"


def test_the_rendering_shows_each_error_with_its_caret_and_a_count():
    with pytest.raises(DslError) as info:
        loads(SIX, "six.nas")
    text = str(info.value)
    blocks = text.split("\n\n")
    assert len(blocks) == 8 and blocks[-1] == "six.nas: 7 errors"
    assert blocks[3].splitlines() == [
        "six.nas:7:32: error: unknown key `populaton` in `search regularized_evolution`",
        "    search regularized_evolution { populaton = 10; sample = 5; mutation = flop }",
        "    " + " " * 31 + "^",
        "did you mean `population`?",
        "accepted: asynchronous, budget, mutation, population, sample"]


def test_several_syntax_errors_are_reported_together():
    text = ("budget = 100 evaluations\nspace cell {\n    vertices 7\n    edges = 9 @\n}\n"
            "evaluate nasbench101 { fitness = = test_accuracy }\nsearch random\n"
            "output = \"x\n")
    errors = _errors(text)
    assert [(e.line, e.column) for e in errors] == [(3, 14), (4, 15), (6, 34), (8, 10)]
    assert errors[1].message == "unexpected character `@`"
    assert errors[3].message.startswith("unterminated string")
    assert "has no `}`" not in errors[0].message  # the block is closed on line 5


EIGHT = """\
experiment eight
budget = 100 evaluations
space cell {
    vertices = 7 @
    edges 9
    ops = [conv1x1, conv3x3, maxpol3x3]
}
evaluate nasbench101 {
    fitnes = validation_accuracy
    repeats = median
}
search regularized_evoluton
search random {
run { workers = 0 }
"""


def test_syntax_errors_hide_no_other_mistake():
    """A bad token, a missing `=`, a bad op, an unknown key, a bad value, an unknown
    algorithm, an unclosed brace and an out-of-range value: all eight in one pass."""
    errors = _errors(EIGHT)
    assert [(e.line, e.column) for e in errors] == [(4, 18), (5, 11), (6, 30), (9, 5),
                                                    (10, 15), (12, 8), (14, 5), (14, 17)]
    messages = [e.message for e in errors]
    assert messages[0] == "unexpected character `@`"
    assert messages[1] == "unexpected `9`" and errors[1].expected == ("`=` or `in`",)
    assert errors[2].suggestion == "maxpool3x3" and errors[3].suggestion == "fitness"
    assert errors[2].accepted == ("conv1x1", "conv3x3", "maxpool3x3")  # what nasbench101 takes
    assert messages[4] == "unknown repeats mode `median` for `repeats`"
    assert errors[5].suggestion == "regularized_evolution"
    assert messages[6] == "unexpected `{` (the block opened on line 13 has no `}`)"
    assert messages[7] == "`workers` must be an integer in [1, 256], got 0"
    assert errors[2].source_line == "    ops = [conv1x1, conv3x3, maxpol3x3]"


def test_a_block_left_open_at_the_end_still_has_its_settings_checked():
    errors = _errors("budget = 10 evals\nspace cell { }\nevaluate nasbench101 { }\n"
                     "search regularized_evolution {\n    population = 0\n")
    assert [(e.line, e.message) for e in errors] == [
        (5, "`population` must be an integer in [1, 100000], got 0"),
        (5, "unexpected end of file (the block opened on line 4 has no `}`)")]


def test_a_line_set_aside_makes_nothing_look_missing():
    errors = _errors("budget 10 evals\nspace global { layers 5 }\nevaluate keras { }\n"
                     "search random\n")
    assert [e.line for e in errors] == [1, 2]


def test_the_count_after_a_syntax_error_holds_every_later_refusal():
    keys = "\n".join(f"    wrong{i} = 1" for i in range(MAX_ERRORS + 5))
    with pytest.raises(DslErrors) as info:
        loads(f"budget 10 evals\nspace cell {{\n{keys}\n}}\nevaluate nasbench101 {{ }}\n"
              "search random\n", "many.nas")
    assert info.value.errors[0].message == "unexpected `10`"
    assert len(info.value.errors) == MAX_ERRORS and info.value.more == 6
    assert "the file was refused" not in str(info.value)


def test_a_refused_statement_does_not_make_its_setting_look_missing():
    errors = _errors("budget = 10 evals\nspace global { layrs = 5 }\nevaluate keras { }\n"
                     "search random\n")
    assert [e.message for e in errors] == ["unknown key `layrs` in `space global`"]
    errors = _errors("budget = 10 evals\nspce cell { }\nevaluate nasbench101 { }\n"
                     "search random\n")
    assert [e.message for e in errors] == ["unknown block `spce`"]


def test_a_sweep_repeats_no_error():
    errors = _errors("budget = 10 evals\nspace cell { }\nevaluate nasbench101 { }\n"
                     "search regularized_evolution { population in [1, 2, 3]; sample = 5 }\n")
    assert len(errors) == 1
    assert errors[0].message == "`sample` must not exceed `population` (1), got 5"


def test_at_most_a_cap_of_errors_is_shown():
    keys = "\n".join(f"    wrong{i} = 1" for i in range(MAX_ERRORS + 5))
    with pytest.raises(DslErrors) as info:
        loads(f"budget = 10 evals\nspace cell {{\n{keys}\n}}\nevaluate nasbench101 {{ }}\n"
              "search random\n", "many.nas")
    assert len(info.value.errors) == MAX_ERRORS and info.value.more == 5
    assert str(info.value).endswith(f"many.nas: {MAX_ERRORS + 5} errors (5 more not shown)")


@pytest.mark.parametrize("command", ["check", "run"])
def test_check_and_run_print_every_error_and_exit_2(tmp_path: Path, command: str):
    path = tmp_path / "six.nas"
    path.write_text(SIX)
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", command, str(path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count(": error: ") == 7
    assert done.stderr.rstrip().endswith(f"{path}: 7 errors")
    assert "Traceback" not in done.stderr and not (tmp_path / "results").exists()


def test_strict_check_labels_data_refusals_as_errors(tmp_path: Path, nb101_store: Path):
    path = tmp_path / "exp.nas"
    path.write_text("budget = 10 evals\nspace cell { }\n"
                    "evaluate nasbench101 { fitness = validation_accuracy }\nsearch random\n")
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}
    loose = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(path)],
                           capture_output=True, text=True, timeout=120, env=env)
    assert loose.returncode == 0 and "warning: " in loose.stdout
    strict = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", "--strict", str(path)],
                            capture_output=True, text=True, timeout=120, env=env)
    assert strict.returncode == 2
    assert "warning:" not in strict.stdout + strict.stderr
    assert f"{path}: error: the NAS-Bench-101 store holds" in strict.stderr


def test_collecting_errors_is_bounded(tmp_path: Path):
    """100,000 refused sweep values (a 200 KB file) are counted, not kept: the check runs in a
    2 GB address space and gives the first 20 and the count."""
    import resource

    count = 100_000
    path = tmp_path / "many.nas"
    path.write_text("budget = 10 evaluations\nspace cell { }\nevaluate nasbench101 { }\n"
                    "search regularized_evolution { population in ["
                    + ",".join(["0"] * count) + "] }\n")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2 ** 30, 2 * 2 ** 30))

    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=20, cwd=tmp_path,
                          preexec_fn=limit_memory)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.count(": error: ") == MAX_ERRORS
    assert done.stderr.rstrip().endswith(
        f"{path}: {count} errors ({count - MAX_ERRORS} more not shown)")
    assert "Traceback" not in done.stderr


def test_a_sweep_of_refused_values_still_checks_the_other_settings():
    errors = _errors("budget = 10 evals\nspace cell { }\nevaluate nasbench101 { }\n"
                     "search regularized_evolution { population in [0, 0.5]\n"
                     "    mutation = flop }\n")
    assert [(e.line, e.column) for e in errors] == [(4, 47), (4, 50), (5, 16)]
    assert errors[2].suggestion == "flip"
