"""What a NAS-Bench-101 store can answer: the DSL's data checks, phrased for the user.

Each problem is one sentence naming what the store does hold, so the fix is obvious.
"""
from __future__ import annotations

from typing import Iterable

from nasdsl.store.nasbench101 import NASBench101Store


def holds(store: NASBench101Store) -> str:
    return ", ".join(store.metrics) or "no metrics"


def metric_problems(store: NASBench101Store, metrics: Iterable[str], epochs: int,
                    roles: dict[str, str] | None = None) -> list[str]:
    """Metrics the store lacks, or lacks at `epochs`; `roles` names each one's use
    ("fitness", "report")."""
    roles = roles or {}
    problems = []
    for name in dict.fromkeys(metrics):
        role = roles.get(name, "metric")
        if name not in store.metrics:
            problems.append(f"the NAS-Bench-101 store holds {holds(store)}; {role} `{name}` "
                            "is not among them")
            continue
        have = store.epochs_with(name)
        if epochs not in have:
            problems.append(f"the NAS-Bench-101 store holds {name} at "
                            f"{', '.join(str(e) for e in have)} epochs only; `epochs = {epochs}` "
                            "needs the full dataset (`nasdsl data nasbench101 --download full`)")
    return problems


def store_problems(store: NASBench101Store, fitness: str, report: Iterable[str], epochs: int,
                   time_budget: bool) -> list[str]:
    """Every reason this store cannot serve an experiment with these settings."""
    report = [m for m in report if m != fitness]
    roles = {m: "report metric" for m in report}
    roles[fitness] = "fitness"
    problems = metric_problems(store, [fitness, *report], epochs, roles)
    if time_budget and "training_time" not in store.metrics:
        problems.append(f"a time budget needs training times, but the NAS-Bench-101 store "
                        f"holds {holds(store)} (no training_time); use an evaluations budget "
                        "or import the official .tfrecord")
    return problems


def default_fitness_problem(store: NASBench101Store, fitness: str) -> str:
    """The default fitness is not in the store: say it is the default, and what to write."""
    from nasdsl.evaluators.base import accuracies

    held = accuracies(store.metrics)
    fix = (f"; write `fitness = {held[0]}` in `evaluate nasbench101 {{ … }}`" if held else
           "; the store holds no accuracy to search for: import the official table")
    return (f"the NAS-Bench-101 store holds {holds(store)}; the default fitness `{fitness}` "
            f"is not among them{fix}")
