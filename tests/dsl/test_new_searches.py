"""`search local_search`, `search bananas` and `search ppo` in the language: settings typed and
checked."""
from __future__ import annotations

import pytest

from nasdsl.dsl import loads
from nasdsl.errors import DslError

BASE = "budget = 150 evaluations\nspace cell { }\nevaluate nasbench101 { }\n"


def test_both_compile_with_their_defaults_and_written_settings():
    plan = loads(BASE + "search local_search\nsearch bananas { batch = 5; retrain = 20 }\n")
    local, bananas = plan.configs
    assert dict(local.settings) == {"initial": 10}
    assert dict(bananas.settings) == {"initial": 10, "batch": 5, "retrain": 20,
                                      "ensemble": 5, "parents": 10}


@pytest.mark.parametrize("block, words", [
    ("search local_search { initial = 0 }", ["initial", "[1, 100000]"]),
    ("search bananas { ensemble = 1 }", ["ensemble"]),
    ("search bananas { retrian = 5 }", ["retrian", "retrain"]),
    ("search bananas { batch = 2.5 }", ["batch"]),
    ("search ppo { clip = 1.5 }", ["clip", "(0.0, 1.0)"]),
    ("search ppo { units = 0 }", ["units"]),
    ("search ppo { epoch = 4 }", ["epoch", "epochs"]),
    ("search ppo { batch = 150 }", ["batch", "below the budget"]),
])
def test_bad_settings_are_refused_with_the_line(block, words):
    with pytest.raises(DslError) as e:
        loads(BASE + block + "\n")
    text = str(e.value) + " " + str(e.value.suggestion)
    assert e.value.line == 4
    for word in words:
        assert word in text
