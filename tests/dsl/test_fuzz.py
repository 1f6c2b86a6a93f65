"""Whatever the text, the language answers with a Plan or a DslError, never anything else."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nasdsl.dsl import load, loads
from nasdsl.errors import DslError
from nasdsl.plan import Plan

EXAMPLES = [p.read_text(encoding="utf-8")
            for p in sorted((Path(__file__).resolve().parents[2] / "experiments").glob("*.nas"))]
# Pieces of the language, so random text often gets past the first token.
TOKENS = ["space", "cell", "global", "evaluate", "nasbench101", "keras", "search", "random",
          "pygmo.gaco", "dqn", "as", "in", "=", "{", "}", "[", "]", "(", ")", ",", ";", "\n",
          "..", "1", "0.5", "-3", "1e9", '"s"', "true", "population", "budget", "10 evals",
          "grow", "layers", "ops", "conv3x3", "#", "experiment", "final", "run", " "]


def _only_dsl_errors(text: str) -> None:
    try:
        result = loads(text, "fuzz.nas")
    except DslError as error:
        assert error.message
        str(error)
        return
    assert isinstance(result, Plan)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text_raises_only_dsl_errors(text):
    _only_dsl_errors(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_random_token_soup_raises_only_dsl_errors(tokens):
    _only_dsl_errors(" ".join(tokens))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(EXAMPLES), st.data())
def test_mutated_examples_raise_only_dsl_errors(example, data):
    text = example
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "replace"]))
        if action == "delete":
            end = data.draw(st.integers(at, min(len(text), at + 8)))
            text = text[:at] + text[end:]
        else:
            piece = data.draw(st.sampled_from(TOKENS) | st.text(max_size=3))
            end = at + (1 if action == "replace" else 0)
            text = text[:at] + piece + text[end:]
    _only_dsl_errors(text)


def test_binary_and_absurd_files_raise_dsl_errors(tmp_path):
    binary = tmp_path / "binary.nas"
    binary.write_bytes(b"seed = 1\n\xff\xfe\x00garbage")
    deep = tmp_path / "deep.nas"
    deep.write_text("x = " + "(" * 100_000)
    missing = tmp_path / "missing.nas"
    for path, line in ((binary, 2), (deep, 1), (missing, 0)):
        try:
            load(path)
        except DslError as error:
            assert error.line == line
        else:
            raise AssertionError(f"{path.name} was accepted")
