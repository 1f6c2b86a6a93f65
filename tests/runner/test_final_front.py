"""With `objectives`, `final` retrains members of the front of a configuration's runs, ranked
by the first objective, never a dominated architecture however high its first objective."""
from __future__ import annotations

import pandas as pd

from nasdsl.dsl import loads
from nasdsl.runner.final import top_candidates

FILE = """budget = 10 evaluations
space cell { }
evaluate nasbench101 { objectives = [maximize(test_accuracy), minimize(parameters)] }
search random
"""


def test_final_candidates_are_front_members_ranked_by_the_first_objective():
    config = loads(FILE).configs[0]
    rows = [  # hash, run, accuracy, parameters
        ("a", 0, 0.94, 9_000_000), ("b", 0, 0.93, 2_000_000), ("c", 1, 0.92, 1_000_000),
        ("d", 1, 0.935, 8_000_000),   # on the front: more accurate than b, smaller than a
        ("e", 1, 0.94, 9_500_000),    # dominated by a (same accuracy, larger)
        ("f", 0, 0.91, 3_000_000),    # dominated by b
    ]
    evaluations = pd.DataFrame(
        [{"config": config.key, "run": run, "index": i, "hash": h, "architecture": h,
          "status": "ok", "fitness": acc, "test_accuracy": acc, "parameters": p}
         for i, (h, run, acc, p) in enumerate(rows)])
    chosen = top_candidates(evaluations, config, top=3)
    assert [c.hash for c in chosen] == ["a", "d", "b"]
    assert [c.rank for c in chosen] == [1, 2, 3]
    assert [c.hash for c in top_candidates(evaluations, config, top=10)] == ["a", "d", "b", "c"]
