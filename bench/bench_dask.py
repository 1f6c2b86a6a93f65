"""Evaluations on Dask: what the cluster costs per lookup, and what workers gain on training.

One line per figure: name, value, unit, and the baselines measured in the same run with the
ratio.

* `dask_lookup_overhead`: wall time per evaluation of `nasdsl run` on NAS-Bench-101 lookups
  (random search and regularized evolution, journal on) sent to a local Dask cluster of one
  single-threaded worker process (`--cluster`: one task per run), against the same plan in
  this process; best of three each, interleaved. The second baseline sends one task per
  evaluation (what batching avoids), measured on fewer evaluations.
* `dask_training_2_workers`: wall time of a search whose evaluator does real CPU work (dense
  matrix products, about `--seconds` each; what main offers as an expensive evaluator is a
  user's module) on a local cluster of two single-threaded workers, against one such worker
  and against this process alone (NumPy then uses every core). The clusters are started
  before the clock starts; `dask_local_cluster_start` is what `run { workers = 2 }` adds.

    python bench/bench_dask.py [--evaluations N] [--data DIR] [--seconds S]

Needs the NAS-Bench-101 store (`make data`); `--data` or $NASDSL_DATA say where it is.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nasdsl.cluster import DaskExecutor
from nasdsl.dsl import load
from nasdsl.plan import Plan
from nasdsl.runner import run_plan

REPEATS = 3

LOOKUPS = """\
experiment bench_dask_lookups
seed = 0
repeat = 4
budget = {n} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; report = [test_accuracy] }}
search random
search regularized_evolution {{ population = 100; sample = 25 }}
"""

TRAINING = """\
experiment bench_dask_training
seed = 0
budget = 24 evaluations
space cell {{ vertices = 5; edges = 6 }}
evaluate "bench_work:Products" {{ size = {size}; rounds = {rounds} }}
search random
"""

WORK = '''\
"""CPU-bound stand-in for training: dense matrix products, seeded by the architecture."""
import hashlib

import numpy as np

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Products(Evaluator):
    expensive = True

    def __init__(self, size: int = 256, rounds: int = 10):
        self.size, self.rounds = int(size), int(rounds)

    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        digest = hashlib.sha1(str(x).encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
        a = rng.random((self.size, self.size)) / self.size
        for _ in range(self.rounds):
            a = np.tanh(a @ a + 0.1)
        accuracy = float(a.mean() % 1.0)
        return Result(fitness=accuracy, metrics={"accuracy": accuracy})
'''


def _timed_run(plan: Plan, folder: Path, **execution) -> tuple[float, int]:
    plan = replace(plan, output=folder, execution=replace(plan.execution, **execution))
    start = time.perf_counter()
    summary = run_plan(plan, fresh=True, report=False)
    return time.perf_counter() - start, summary.evaluations


def _line(name: str, value: float, unit: str, baselines: dict[str, float],
          digits: int = 1) -> None:
    parts = [f"{name} {value:,.{digits}f} {unit}"]
    for label, base in baselines.items():
        parts.append(f"baseline_{label} {base:,.{digits}f} {unit} ratio {value / base:.2f}")
    print(" | ".join(parts), flush=True)


def _cluster(workers: int):
    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        host="127.0.0.1", dashboard_address=":0",
                        silence_logs=logging.CRITICAL)


def bench_lookups(n: int, folder: Path) -> None:
    (folder / "lookups.nas").write_text(LOOKUPS.format(n=n))
    plan = load(folder / "lookups.nas")
    _timed_run(plan, folder / "warm")  # the store's columns in the page cache
    with _cluster(1) as cluster:
        here, there = float("inf"), float("inf")
        for i in range(REPEATS):  # interleaved, best of each: the machine may be busy
            seconds, evaluations = _timed_run(plan, folder / f"here{i}")
            here = min(here, seconds / evaluations)
            seconds, evaluations = _timed_run(plan, folder / f"there{i}",
                                              cluster=cluster.scheduler_address)
            there = min(there, seconds / evaluations)
        single = _task_per_evaluation(plan, cluster.scheduler_address, min(n, 500))
    _line("dask_lookup_overhead", there * 1e6, "µs/evaluation",
          {"in_process": here * 1e6, "task_per_evaluation": single * 1e6})


def _task_per_evaluation(plan: Plan, address: str, n: int) -> float:
    """Seconds per lookup when each is a task of its own."""
    from nasdsl.runner.components import Components
    from nasdsl.runner.task import RunTask

    config = plan.configs[0]
    task = RunTask("bench", "bench", config, 0, 0, (), Components())
    space = Components().space(config.space)
    rng = np.random.default_rng(0)
    archs = [space.sample(rng) for _ in range(n)]
    with DaskExecutor(address) as executor:
        executor.map_timed(task.factory, archs[:20], list(range(20)))  # evaluator built
        start = time.perf_counter()
        executor.map_timed(task.factory, archs, list(range(n)))
        return (time.perf_counter() - start) / n


def bench_training(folder: Path, seconds: float) -> None:
    (folder / "bench_work.py").write_text(WORK)
    sys.path.insert(0, str(folder))
    size, rounds = 256, 1
    source = folder / "training.nas"
    source.write_text(TRAINING.format(size=size, rounds=rounds))
    probe = load(source)
    one, _ = _timed_run(replace(probe, configs=(replace(probe.configs[0], budget=replace(
        probe.configs[0].budget, amount=2)),)), folder / "probe")
    rounds = max(1, int(round(seconds / max(one / 2, 1e-3))))  # about `seconds` each
    source.write_text(TRAINING.format(size=size, rounds=rounds))
    plan = load(source)
    start = time.perf_counter()
    DaskExecutor.local(2).close()
    startup = time.perf_counter() - start
    results = {}
    for workers in (1, 2):
        with _cluster(workers) as cluster:
            results[workers], _ = _timed_run(plan, folder / f"w{workers}",
                                             cluster=cluster.scheduler_address)
    alone, _ = _timed_run(plan, folder / "alone")
    _line("dask_training_2_workers", results[2], "s",
          {"1_worker": results[1], "in_process": alone})
    print(f"dask_training_speedup_2_vs_1 {results[1] / results[2]:.2f} x | "
          f"vs_in_process {alone / results[2]:.2f} x (24 evaluations of about "
          f"{seconds:.2f} s, {os.cpu_count()} cores)", flush=True)
    _line("dask_local_cluster_start", startup, "s", {"training_2_workers": results[2]})


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=5_000, help="per run (default 5000)")
    p.add_argument("--data", help="NAS-Bench-101 data folder (default $NASDSL_DATA)")
    p.add_argument("--seconds", type=float, default=0.4,
                   help="CPU seconds per training evaluation (default 0.4)")
    args = p.parse_args(argv)
    if args.data:
        os.environ["NASDSL_DATA"] = args.data
    with tempfile.TemporaryDirectory() as tmp:
        bench_lookups(args.evaluations, Path(tmp))
        bench_training(Path(tmp), args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
