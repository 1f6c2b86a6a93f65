"""Evaluators: how good is an architecture. Each offers `evaluate(...) -> Result`; the
NAS-Bench-101 one also NORD's `descriptor_evaluate(...)`. Imports are lazy so that the CLI
and workers only load what they use."""
from __future__ import annotations

_EXPORTS = {
    "Evaluator": "nasdsl.evaluators.base",
    "NASBench101Evaluator": "nasdsl.evaluators.nasbench101",
    "DescriptorEvaluator": "nasdsl.evaluators.python_target",
    "make_evaluator": "nasdsl.evaluators.factory",
    "data_problems": "nasdsl.evaluators.factory",
    "data_identity": "nasdsl.evaluators.factory",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = list(_EXPORTS)
