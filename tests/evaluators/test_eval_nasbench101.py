"""NASBench101Evaluator: lookups by every kind of query, sampling, costs, invalid cells."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.evaluators import NASBench101Evaluator
from nb101_tables import make_store, value

INCEPTION = [[0, 1, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1],
             [0, 0, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1],
             [0, 0, 0, 0, 0, 0, 0]]
INCEPTION_OPS = ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "conv3x3-bn-relu",
                 "conv3x3-bn-relu", "maxpool3x3", "output"]
INCEPTION_ACC = 0.9311898946762085


@pytest.fixture(scope="module")
def shared(nb101_store):
    return NASBench101Evaluator(nb101_store, fitness="test_accuracy",
                                report=["trainable_parameters", "flops"])


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    store, specs = make_store(tmp_path_factory.mktemp("small"))
    return store, specs


def _relabel(matrix, ops, order):
    m = np.asarray(matrix)[np.ix_(order, order)]
    return m.tolist(), [ops[i] for i in order]


def test_inception_cell_gives_the_published_test_accuracy(shared):
    r = shared.evaluate((INCEPTION, INCEPTION_OPS))
    assert r.ok and r.fitness == INCEPTION_ACC
    assert r.metrics == {"test_accuracy": INCEPTION_ACC, "trainable_parameters": 2_694_282,
                         "flops": r.metrics["flops"]}
    assert r.cost_seconds == 0.0  # the shared table has no training times


def test_every_isomorphic_relabelling_gives_the_same_result(shared):
    seen = 0
    for perm in itertools.permutations(range(1, 6)):
        order = [0, *perm, 6]
        m, ops = _relabel(INCEPTION, INCEPTION_OPS, order)
        if np.any(np.tril(np.asarray(m))):
            continue  # not a topological order: not a valid spec of the same cell
        assert shared.evaluate((m, ops)).fitness == INCEPTION_ACC
        seen += 1
    assert seen == 60  # 5! orders, half of them keep 3 before 4


def test_nas_op_names_are_accepted(shared):
    ops = ["input", "conv1x1", "conv3x3", "conv3x3", "conv3x3", "maxpool3x3", "output"]
    assert shared.evaluate((INCEPTION, ops)).fitness == INCEPTION_ACC


def test_a_dangling_vertex_is_pruned_first(shared):
    m = np.zeros((8, 8), dtype=int)
    m[:6, :6] = np.asarray(INCEPTION)[:6, :6]
    m[:6, 7] = np.asarray(INCEPTION)[:6, 6]
    m[0, 6] = 1  # vertex 6 takes input but feeds nothing: off every input->output path
    ops = INCEPTION_OPS[:6] + ["maxpool3x3", "output"]
    r = shared.evaluate((m, ops))
    assert r.ok and r.fitness == INCEPTION_ACC


def test_a_disconnected_cell_is_invalid_with_the_reason(shared):
    m = [[0, 1, 0], [0, 0, 0], [0, 0, 0]]
    r = shared.evaluate((m, ["input", "conv3x3-bn-relu", "output"]))
    assert r.status == "invalid" and r.fitness is None and "disconnected" in r.error


@pytest.mark.parametrize("matrix, ops, reason", [
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"], "not a NAS-Bench-101 op"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["conv3x3", "input", "output"], "first op must be"),
    ([[0, 1, 0], [1, 0, 1], [0, 0, 0]], ["input", "conv3x3", "output"], "upper triangular"),
    (np.triu(np.ones((7, 7), dtype=int), 1).tolist(), ["input"] + ["conv3x3"] * 5 + ["output"],
     "21 edges"),
    (np.eye(9, k=1, dtype=int).tolist(), ["input"] + ["conv3x3"] * 7 + ["output"], "9 vertices"),
])
def test_cells_outside_the_space_are_invalid(shared, matrix, ops, reason):
    r = shared.evaluate((matrix, ops))
    assert r.status == "invalid" and reason in r.error


def test_query_by_hash_by_descriptor_and_by_cell(shared):
    by_hash = shared.evaluate("28cfc7874f6d200472e1a9dcd8650aa0")
    layers = {f"{i}_Layer": [op, None] for i, op in enumerate(INCEPTION_OPS)}
    connections = {f"{i}_Layer": [f"{j}_Layer" for j in range(7) if INCEPTION[i][j]]
                   for i in range(7)}
    descriptor = SimpleNamespace(layers=layers, connections=connections)
    cell = SimpleNamespace(matrix=INCEPTION, ops=INCEPTION_OPS,
                           hash="28cfc7874f6d200472e1a9dcd8650aa0")
    assert by_hash.fitness == shared.evaluate(descriptor).fitness == \
        shared.evaluate(cell).fitness == INCEPTION_ACC
    assert shared.evaluate("0" * 32).status == "invalid"
    assert "not a NAS-Bench-101 hash" in shared.evaluate("nope").error


def test_project_descriptor_and_cell_types_are_understood(shared):
    descriptor_mod = pytest.importorskip("nasdsl.descriptor")
    d = descriptor_mod.NeuralDescriptor.from_nasbench(INCEPTION, INCEPTION_OPS)
    assert shared.evaluate(d).fitness == INCEPTION_ACC
    cell_mod = pytest.importorskip("nasdsl.spaces.cell")
    cell = cell_mod.Cell(np.asarray(INCEPTION), tuple(
        ["input", "conv1x1", "conv3x3", "conv3x3", "conv3x3", "maxpool3x3", "output"]))
    assert shared.evaluate(cell).fitness == INCEPTION_ACC


def test_batch_matches_one_by_one(shared, nb101_store):
    from nasdsl.store.nasbench101 import NASBench101Store

    store = NASBench101Store.open(nb101_store)
    rng = np.random.default_rng(0)
    rows = rng.choice(store.cells, size=200, replace=False)
    items = [store.spec(int(r)) for r in rows[:100]] + [store.hashes[r].decode() for r in rows[100:]]
    items += [([[0, 0], [0, 0]], ["input", "output"]), "f" * 32]
    batch = shared.evaluate_batch(items)
    assert batch == [shared.evaluate(x) for x in items]
    assert [r.fitness for r in batch[:200]] == \
        [float(store.array("test_accuracy")[r, 0, 0]) for r in rows]
    assert [r.status for r in batch[200:]] == ["invalid", "invalid"]


def test_sample_is_reproducible_per_seed_and_draws_every_repeat(small):
    store, specs = small
    ev = NASBench101Evaluator(store, report=["test_accuracy", "training_time"])
    h, m, ops = specs[7]
    draws = {}
    for seed in range(40):
        r = ev.evaluate((m, ops), seed=seed)
        assert r == ev.evaluate((m, ops), seed=seed)
        repeat = next(k for k in range(3) if r.fitness == value(7, "validation_accuracy", 108, k))
        assert r.metrics["test_accuracy"] == value(7, "test_accuracy", 108, repeat)  # same run
        assert r.cost_seconds == value(7, "training_time", 108, repeat)
        draws[seed] = repeat
    assert set(draws.values()) == {0, 1, 2}
    batch = ev.evaluate_batch([(m, ops)] * 40, seeds=list(range(40)))
    assert [b.fitness for b in batch] == \
        [value(7, "validation_accuracy", 108, draws[s]) for s in range(40)]


def test_unseeded_draws_follow_the_evaluator_seed(small):
    store, specs = small
    a, b, c = (NASBench101Evaluator(store, seed=s) for s in (5, 5, 6))
    x = specs[0][0]
    sa = [a.evaluate(x).fitness for _ in range(30)]
    assert sa == [b.evaluate(x).fitness for _ in range(30)]
    assert sa != [c.evaluate(x).fitness for _ in range(30)]


def test_mean_averages_the_runs_and_epochs_select_the_budget(small):
    store, specs = small
    ev = NASBench101Evaluator(store, repeats="mean", epochs=12)
    r = ev.evaluate(specs[3][0])
    assert r.fitness == pytest.approx(np.mean([value(3, "validation_accuracy", 12, k)
                                               for k in range(3)]), rel=1e-6)
    assert r.cost_seconds == pytest.approx(np.mean([value(3, "training_time", 12, k)
                                                    for k in range(3)]))


def test_total_training_time_accumulates(small):
    store, specs = small
    ev = NASBench101Evaluator(store)
    results = [ev.evaluate(h, seed=i) for i, (h, _, _) in enumerate(specs[:10])]
    results += ev.evaluate_batch([h for h, _, _ in specs[:5]], seeds=[1, 2, 3, 4, 5])
    assert ev.total_training_time == pytest.approx(sum(r.cost_seconds for r in results))
    assert all(r.cost_seconds > 1000 for r in results)


def test_metrics_the_store_lacks_are_refused_naming_what_it_holds(nb101_store):
    ev = NASBench101Evaluator(nb101_store)  # default fitness validation_accuracy
    with pytest.raises(DataError, match="holds test_accuracy, trainable_parameters, flops; "
                                        "fitness `validation_accuracy` is not among them"):
        ev.evaluate((INCEPTION, INCEPTION_OPS))
    with pytest.raises(DataError, match="at 108 epochs only"):
        NASBench101Evaluator(nb101_store, fitness="test_accuracy", report=[],
                             epochs=36).evaluate("0" * 32)


def test_a_missing_store_raises_data_error_saying_how_to_get_one(tmp_path):
    with pytest.raises(DataError, match="--import .*--download"):
        NASBench101Evaluator(tmp_path)


def test_bad_settings_are_value_errors(nb101_store):
    with pytest.raises(ValueError, match="repeats"):
        NASBench101Evaluator(nb101_store, repeats="median")
    with pytest.raises(ValueError, match="epochs"):
        NASBench101Evaluator(nb101_store, epochs=100)
    with pytest.raises(ValueError, match="unknown metric 'accuracy'"):
        NASBench101Evaluator(nb101_store, fitness="accuracy")


def test_python_default_report_is_what_the_store_holds(nb101_store):
    ev = NASBench101Evaluator(nb101_store, fitness="test_accuracy")
    assert ev.metrics == ("test_accuracy",)  # the shared table has no training_time
    assert ev.evaluate((INCEPTION, INCEPTION_OPS)).fitness == INCEPTION_ACC
    with pytest.raises(DataError, match="training_time"):
        NASBench101Evaluator(nb101_store, fitness="test_accuracy",
                             report=["training_time"]).evaluate((INCEPTION, INCEPTION_OPS))
