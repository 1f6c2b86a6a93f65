"""Successive halving with real Keras training, through the language, on a tiny slice of
Fashion-MNIST: each bracket promotes exactly the best of its first rung, the promoted
candidate's training continues its parent's (its curve numbered on, its loss going on from
where the parent's stood), and a finished run keeps no checkpoint."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

import pytest

pytest.importorskip("keras")

from keras_runs import tiny_fashion  # noqa: E402

from nasdsl.dsl import loads  # noqa: E402
from nasdsl.runner import run_plan  # noqa: E402

EXPERIMENT = """experiment tiny_mf
seed = 0; budget = 5 epochs
space global {{ layers = 2; ops = [conv3x3, maxpool2x2]; filters = [4, 8] }}
evaluate keras {{ dataset = npz("{data}"); epochs = 3; batch_size = 32; validation = 0.25 }}
search successive_halving {{ min_epochs = 1; eta = 3 }}
output = "{out}"
"""


def test_successive_halving_promotes_the_best_and_continues_its_training(
        tmp_path, fashion_mnist_dir):
    data = tiny_fashion(tmp_path, fashion_mnist_dir, train=120, test=16)
    out = tmp_path / "out"
    run_plan(loads(EXPERIMENT.format(data=data, out=out)))
    db = sqlite3.connect(out / "journal.sqlite")
    rows = [{"index": i, "bracket": g, "hash": h, "fitness": f, "status": s, **json.loads(m)}
            for i, g, h, f, s, m in db.execute(
                "SELECT idx, generation, hash, fitness, status, metrics FROM evaluations "
                "ORDER BY idx")]
    db.close()
    assert all(r["status"] == "ok" for r in rows)
    assert sum(r["epochs_trained"] for r in rows) == 5  # 3 × 1, then 2 more for the best
    brackets: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        brackets[r["bracket"]].append(r)
    assert len(brackets) == 1
    by_index = {r["index"]: r for r in rows}
    for members in brackets.values():
        first = [r for r in members if r["epochs"] == 1]
        (top,) = [r for r in members if r["epochs"] == 3]
        assert len(first) == 3
        best = min(first, key=lambda r: (-r["fitness"], r["index"]))
        assert top["hash"] == best["hash"]
        # it continues the training of that architecture at 1 epoch (a candidate drawn
        # twice is trained once: the repeat is answered from it and has no state)
        parent = by_index[top["continued_from"]]
        assert parent["hash"] == best["hash"] and "repeat_of" not in parent
    for r in rows:
        if "repeat_of" in r:  # answered from an earlier training of the same fidelity
            continue
        if "continued_from" in r:
            parent = by_index[r["continued_from"]]
            assert [p[0] for p in parent["curve"] + r["curve"]] == [1, 2, 3]
            assert r["epochs_trained"] == 2
            # not restarted: the validation loss goes on falling from the parent's
            assert r["curve"][0][2] < parent["curve"][-1][2]
        else:
            assert [p[0] for p in r["curve"]] == list(range(1, r["epochs"] + 1))
    assert not (out / "checkpoints").exists()
