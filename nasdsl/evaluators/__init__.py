"""Evaluators: how good is an architecture. Each offers `evaluate(...) -> Result`; the
NAS-Bench-101 and Keras ones also NORD's `descriptor_evaluate(...)`. Imports are lazy so that
the CLI and workers only load what they use."""
from __future__ import annotations

from nasdsl.lazy import lazy_exports

_EXPORTS = {
    "Evaluator": "nasdsl.evaluators.base",
    "NASBench101Evaluator": "nasdsl.evaluators.nasbench101",
    "DescriptorEvaluator": "nasdsl.evaluators.python_target",
    "KerasEvaluator": "nasdsl.evaluators.keras_training",
    "make_evaluator": "nasdsl.evaluators.factory",
    "data_problems": "nasdsl.evaluators.factory",
    "fetch_data": "nasdsl.evaluators.factory",
    "data_identity": "nasdsl.evaluators.factory",
    "fidelities": "nasdsl.evaluators.factory",
    "cheap_function": "nasdsl.evaluators.factory",
}


__getattr__ = lazy_exports(_EXPORTS)


__all__ = list(_EXPORTS)
