"""Executors: a result per item, in order; a raising evaluation becomes a failed result."""
from __future__ import annotations

import pytest

import runner_toys as toys
from nasdsl.cluster import DaskExecutor, make_executor
from nasdsl.execution import EvaluatorFactory, InProcessExecutor, ProcessPoolExecutor
from nasdsl.plan import EvaluatorSpec

ITEMS = [(1, 0, 1), (0, 0, 0), (1, 1, 1), (1, 0, 0)]
SEEDS = [11, 12, 13, 14]


def _factory(**settings) -> EvaluatorFactory:
    return EvaluatorFactory(toys.make_evaluator, EvaluatorSpec("python", settings, "toys"))


def _expected():
    evaluator = toys.OnesEvaluator(fail_on="11")
    out = []
    for x, s in zip(ITEMS, SEEDS):
        try:
            out.append(evaluator.evaluate(x, s))
        except RuntimeError:
            out.append(None)
    return out


def _check(results):
    assert len(results) == len(ITEMS)
    for got, want in zip(results, _expected()):
        if want is None:
            assert got.status == "failed" and "RuntimeError: cannot train 111" in got.error
        else:
            assert got.ok and got.fitness == want.fitness and got.metrics == want.metrics


def test_in_process_executor_isolates_a_failing_item():
    _check(InProcessExecutor().map(_factory(fail_on="11"), ITEMS, SEEDS))


def test_process_pool_executor_keeps_order_and_failures():
    with ProcessPoolExecutor(2) as executor:
        _check(executor.map(_factory(fail_on="11"), ITEMS, SEEDS))
        timed = executor.map_timed(_factory(fail_on="11"), ITEMS, SEEDS)
    assert all(wall >= 0 for _, wall in timed)


def test_dask_executor_on_a_real_local_client():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None) as client:
        executor = DaskExecutor(client)
        _check(executor.map(_factory(fail_on="11"), ITEMS, SEEDS))
        executor.close()
        assert client.status == "running"  # a client it did not make stays open


def test_one_worker_and_no_cluster_evaluate_in_this_process():
    assert isinstance(make_executor(1), InProcessExecutor)
