"""A small, real space and evaluator for runner tests: bit strings scored by their ones.

Not mocks: a complete `Space` and an evaluator with the evaluator contract, small enough that
a run takes milliseconds, and with simulated training times for time budgets. Module-level
factories, so worker processes can build them too.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.plan import Budget, EvaluatorSpec, Plan, SearchConfig, SpaceSpec, ExecutionSpec
from nasdsl.result import Result
from nasdsl.runner import Components
from nasdsl.spaces.base import Space

Bits = tuple[int, ...]


class BitSpace(Space):
    """Bit strings of length `bits`; all of them valid."""

    kind = "bits"

    def __init__(self, bits: int = 16):
        self.bits = bits

    def sample(self, rng):
        return tuple(int(b) for b in rng.integers(0, 2, self.bits))

    def grow(self, arch, rng, add_node=0.1, add_connection=0.1):
        i = int(rng.integers(self.bits))
        out = list(arch)
        out[i] = 1 - out[i]
        if rng.random() < add_node:
            j = int(rng.integers(self.bits))
            out[j] = 1
        return tuple(out)

    def flip(self, arch, rng, rate=1.0):
        return self.grow(arch, rng, 0.0, 0.0)

    def encode(self, arch):
        return np.array(arch, dtype=float)

    def decode(self, x):
        return tuple(int(round(v)) for v in x)

    @property
    def bounds(self):
        return np.zeros(self.bits), np.ones(self.bits)

    @property
    def nix(self):
        return self.bits

    def is_valid(self, arch):
        return len(arch) == self.bits

    def invalid_reason(self, arch):
        return None if self.is_valid(arch) else "wrong length"

    def key(self, arch):
        return "".join(map(str, arch))

    def canonical(self, arch):
        return self.key(arch)

    def parse(self, text):
        return tuple(int(c) for c in text)

    def size(self):
        return 2 ** self.bits

    def to_descriptor(self, arch):
        return arch

    def from_descriptor(self, descriptor):
        return tuple(descriptor)


class OnesEvaluator:
    """Fitness: fraction of ones plus seeded noise (so seeds matter); cost: 10 s per one.

    `calls` counts evaluations asked of this instance; with `log`, every evaluation also
    appends a line to that file (counts across processes).
    """

    def __init__(self, noise: float = 1e-3, expensive: bool = False, log: str | None = None,
                 fail_on: str | None = None):
        self.noise = noise
        self.expensive = expensive
        self.log = log
        self.fail_on = fail_on
        self.calls = 0

    def evaluate(self, arch: Any, seed: int | None = None) -> Result:
        self.calls += 1
        if self.log:
            with open(self.log, "a") as f:
                f.write(f"{os.getpid()}\n")
        key = "".join(map(str, arch))
        if self.fail_on is not None and key.startswith(self.fail_on):
            raise RuntimeError(f"cannot train {key}")
        noise = (seed % 1_000_003) / 1_000_003 * self.noise if seed is not None else 0.0
        ones = sum(arch)
        return Result(fitness=np.float32(ones / len(arch) + noise),
                      metrics={"ones": ones, "noise": noise}, cost_seconds=10.0 * ones)

    def evaluate_batch(self, items, seeds=None):
        seeds = seeds or [None] * len(items)
        return [self.evaluate(x, s) for x, s in zip(items, seeds)]


EVALUATORS: dict[str, OnesEvaluator] = {}


def make_space(spec: SpaceSpec) -> BitSpace:
    return BitSpace(**dict(spec.settings))


def make_evaluator(spec: EvaluatorSpec, space: SpaceSpec | None = None) -> OnesEvaluator:
    evaluator = OnesEvaluator(**dict(spec.settings))
    EVALUATORS[repr(spec)] = evaluator
    return evaluator


def no_problems(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    return []


def missing_metric(spec: EvaluatorSpec, budget: Budget) -> list[str]:
    return ["the store holds no validation_accuracy (it holds: test_accuracy)"]


TOYS = Components(make_space=make_space, make_evaluator=make_evaluator, data_problems=no_problems)


def config(label: str = "random", algorithm: str = "random", budget: Budget | None = None,
           settings: dict | None = None, swept: dict | None = None, bits: int = 16,
           evaluator: dict | None = None) -> SearchConfig:
    return SearchConfig(label=label, algorithm=algorithm, settings=settings or {},
                        swept=swept or {}, budget=budget or Budget(200, "evaluations"),
                        space=SpaceSpec("cell", {"bits": bits}),
                        evaluator=EvaluatorSpec("python", evaluator or {}, "runner_toys:x"))


def plan(output: Path, configs: list[SearchConfig] | None = None, repeat: int = 2, seed: int = 0,
         workers: int = 1) -> Plan:
    configs = configs or [config(), config("re", "regularized_evolution",
                                           settings={"population": 20, "sample": 5})]
    return Plan(experiment="toy", source=None, seed=seed, repeat=repeat, output=Path(output),
                configs=tuple(configs), execution=ExecutionSpec(workers=workers))
