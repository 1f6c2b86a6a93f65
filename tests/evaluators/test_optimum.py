"""Regret is measured against the optimum of the store the evaluator reads."""
from __future__ import annotations

import pytest

from nasdsl.evaluators.optimum import table_optimum


def test_nasbench101_optimum_is_the_tables_best(nb101_store):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(nb101_store), "epochs": 108}}
    assert table_optimum(evaluator, "test_accuracy") == pytest.approx(0.94661, abs=1e-5)


def test_unknown_metrics_and_other_evaluators_have_no_optimum(nb101_store):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(nb101_store)}}
    assert table_optimum(evaluator, "validation_accuracy") is None  # not in the shared table
    assert table_optimum({"kind": "keras", "settings": {}}, "test_accuracy") is None


def test_a_missing_store_gives_no_optimum(tmp_path):
    evaluator = {"kind": "nasbench101", "settings": {"data": str(tmp_path / "none")}}
    assert table_optimum(evaluator, "test_accuracy") is None
