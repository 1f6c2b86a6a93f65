"""End-to-end speed of `nasdsl run` on NAS-Bench-101, journal on.

One line per figure: name, value, unit, and the baselines measured in the same run with the
ratio. Baselines: `memory` runs the same search through an in-memory `evaluate_batch` that
calls the evaluator directly (no journal, no replay: the floor of the search itself);
`naive` journals the same search the straightforward way, one INSERT and one COMMIT per
evaluation, as a per-query logging wrapper around a benchmark API does. The runner and the
memory baseline are timed alternately, best of three each; the naive baseline once.

    python bench/bench_run.py [--evaluations N] [--data DIR] [--grid]

`--grid` also times the full `experiments/nb101_evolution.nas` grid (1,250 runs, 1.875 million
evaluations; minutes) against the time one process at the measured RE rate would take.
Needs the NAS-Bench-101 store (`make data`); `--data` or $NASDSL_DATA say where it is.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nasdsl.dsl import load
from nasdsl.evaluators import make_evaluator
from nasdsl.journal.values import metrics_json
from nasdsl.optimizers import make_optimizer
from nasdsl.optimizers.base import BudgetMeter, Evaluation, History
from nasdsl.plan import Budget, Plan
from nasdsl.runner import run_plan
from nasdsl.seeding import evaluation_seed
from nasdsl.spaces import make_space

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3

EXPERIMENT = """\
experiment bench
seed = 0
budget = {n} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; report = [test_accuracy] }}
search random
search regularized_evolution {{ population = 100; sample = 25 }}
"""


class _NaiveBatch:
    """One INSERT and one COMMIT per evaluation."""

    def __init__(self, evaluator, space, meter: BudgetMeter, db: sqlite3.Connection, seed: int):
        self.history = History()
        self._evaluator, self._space, self._meter, self._db = evaluator, space, meter, db
        self._seed = seed

    def __call__(self, candidates, generation):
        out = []
        for arch in candidates:
            if self._meter.exhausted:
                break
            i = len(self.history)
            result = self._evaluator.evaluate(arch, seed=evaluation_seed(self._seed, i))
            self._db.execute("INSERT INTO evaluations VALUES (?,?,?,?,?,?,?)",
                             (i, generation, self._space.canonical(arch), self._space.key(arch),
                              result.fitness, result.status, metrics_json(result.metrics)))
            self._db.commit()
            self._meter.charge(result)
            self.history.evaluations.append(Evaluation(i, generation, arch, result))
            out.append(result)
        return out


class _MemoryBatch:
    """The search with nothing around the evaluator: no journal, no replay."""

    def __init__(self, evaluator, meter: BudgetMeter, seed: int):
        self.history = History()
        self._evaluator, self._meter, self._seed = evaluator, meter, seed

    def __call__(self, candidates, generation):
        out = []
        left = self._meter.remaining_evaluations
        batch = list(candidates)[:left]
        first = len(self.history)
        results = self._evaluator.evaluate_batch(
            batch, seeds=[evaluation_seed(self._seed, first + i) for i in range(len(batch))])
        for arch, result in zip(batch, results):
            self._meter.charge(result)
            self.history.evaluations.append(Evaluation(len(self.history), generation, arch,
                                                       result))
            out.append(result)
        return out


def _search(config, evaluator, batch_of) -> float:
    """Seconds for one run of `config` with the evaluate_batch `batch_of(meter)` builds."""
    space = make_space(config.space)
    optimizer = make_optimizer(config.algorithm, space, config.settings)
    meter = BudgetMeter(config.budget)
    batch = batch_of(space, meter)
    start = time.perf_counter()
    optimizer.search(batch, meter, np.random.default_rng(0))
    elapsed = time.perf_counter() - start
    assert len(batch.history) == config.budget.amount
    return elapsed


def _runner_seconds(plan: Plan, label: str, folder: Path) -> float:
    one = replace(plan, configs=tuple(c for c in plan.configs if c.label == label),
                  output=folder / label)
    start = time.perf_counter()
    summary = run_plan(one, fresh=True)
    elapsed = time.perf_counter() - start
    assert summary.evaluations == sum(c.budget.amount for c in one.configs)
    return elapsed


def _line(name: str, value: float, unit: str, baselines: dict[str, float]) -> None:
    parts = [f"{name} {value:,.0f} {unit}"]
    for label, base in baselines.items():
        parts.append(f"baseline_{label} {base:,.0f} {unit} ratio {value / base:.2f}")
    print(" | ".join(parts), flush=True)


def bench_searches(n: int, folder: Path) -> dict[str, float]:
    source = folder / "bench.nas"
    source.write_text(EXPERIMENT.format(n=n))
    plan = load(source)
    evaluator = make_evaluator(plan.configs[0].evaluator)
    space = make_space(plan.configs[0].space)
    warm = [space.sample(np.random.default_rng(1)) for _ in range(100)]
    evaluator.evaluate_batch(warm, seeds=list(range(100)))  # load the table's columns
    rates = {}
    for config in plan.configs:
        memory, ours = float("inf"), float("inf")
        for _ in range(REPEATS):  # interleaved, best of each: the machine may be busy
            memory = min(memory, _search(config, evaluator,
                                         lambda s, m: _MemoryBatch(evaluator, m, 0)))
            ours = min(ours, _runner_seconds(plan, config.label, folder))
        db = sqlite3.connect(folder / f"naive-{config.label}.sqlite")
        db.execute("CREATE TABLE evaluations(idx INT PRIMARY KEY, generation INT, "
                   "architecture TEXT, hash TEXT, fitness REAL, status TEXT, metrics TEXT)")
        naive = _search(config, evaluator, lambda s, m: _NaiveBatch(evaluator, s, m, db, 0))
        db.close()
        rate = n / ours
        rates[config.label] = rate
        _line(f"run_{config.label}_journaled", rate, "evaluations/s",
              {"memory": n / memory, "naive": n / naive})
    return rates


def bench_grid(folder: Path, re_rate: float) -> None:
    plan = load(ROOT / "experiments" / "nb101_evolution.nas")
    plan = replace(plan, output=folder / "grid")
    total = sum(c.budget.amount for c in plan.configs) * plan.repeat
    start = time.perf_counter()
    summary = run_plan(plan, fresh=True)
    elapsed = time.perf_counter() - start
    assert summary.evaluations == total
    one_process = total / re_rate
    print(f"grid_nb101_evolution_wall {elapsed:,.1f} s ({int(total):,} evaluations, "
          f"{plan.execution.workers} workers, {total / elapsed:,.0f} evaluations/s) | "
          f"baseline_one_process_at_re_rate {one_process:,.1f} s ratio "
          f"{elapsed / one_process:.2f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=5_000, help="per search (default 5000)")
    p.add_argument("--data", help="NAS-Bench-101 data folder (default $NASDSL_DATA)")
    p.add_argument("--grid", action="store_true", help="also time the nb101_evolution grid")
    args = p.parse_args(argv)
    if args.data:
        os.environ["NASDSL_DATA"] = args.data
    with tempfile.TemporaryDirectory() as tmp:
        rates = bench_searches(args.evaluations, Path(tmp))
        if args.grid:
            bench_grid(Path(tmp), rates["regularized_evolution"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
