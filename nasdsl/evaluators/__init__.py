"""Evaluators: how good is an architecture. Each offers `evaluate(...) -> Result` and
NORD's `descriptor_evaluate(...)`."""
from __future__ import annotations


def __getattr__(name: str):
    if name == "NASBench101Evaluator":
        from nasdsl.evaluators.nasbench101 import NASBench101Evaluator

        return NASBench101Evaluator
    raise AttributeError(name)


__all__ = ["NASBench101Evaluator"]
