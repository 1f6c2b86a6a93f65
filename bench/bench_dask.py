"""Evaluations on Dask: what the cluster costs per lookup, and what workers gain on training.

One line per figure: name, value, unit, and the baselines measured in the same run with the
ratio.

* `dask_lookup_overhead`: wall time per evaluation of `nasdsl run` on NAS-Bench-101 lookups
  (random search and regularized evolution, journal on) sent to a local Dask cluster of one
  single-threaded worker process (`--cluster`: one task per run), against the same plan in
  this process; best of three each, interleaved. The second baseline sends one task per
  evaluation (what batching avoids), measured on fewer evaluations.
* `keras_search_2_workers`: evaluations per minute of a small real Keras search (random search
  over a small global space, each candidate trained one epoch on a Fashion-MNIST subset),
  run as a user runs it (`run_plan` of the file, journal on) with its evaluations on a local
  cluster of two single-threaded worker processes, against one such worker, and against this
  process alone (no `run` block: TensorFlow on every core). Steady work only: the clusters
  are those `run { workers = N }` starts (`DaskExecutor.local`), started before the clock and
  warmed by one evaluation per worker; these one-off costs are printed on lines of their own
  (cluster start, first evaluation on fresh workers and in this process: TensorFlow import,
  dataset load, first trace). Searches are interleaved, best of `--repeats` each.
* `keras_cpu_per_evaluation_2_workers`: CPU seconds per evaluation of the workers'
  processes (of this process in-process), which the load changes far less than wall time.
* `keras_cores_busy_*`: CPU seconds over wall seconds of the processes that trained (the
  workers' processes, or this one): a worker asked for one thread stays at or under one
  core, this process may use every core. The load average is printed before, during and
  after: where the kernel shares the cores between sessions (Linux's autogroup), extra
  workers of one run get no extra CPU on a busy machine and the speed-ups shrink towards 1.

    python bench/bench_dask.py [--evaluations N] [--data DIR] [--fashion-data DIR]
                               [--keras-evaluations N] [--images N] [--repeats N]

Needs the NAS-Bench-101 store (`make data`; `--data` or $NASDSL_DATA say where it is),
Fashion-MNIST's four files (`--fashion-data`), and the `keras` and `dask` extras.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from nasdsl.cluster import DaskExecutor
from nasdsl.dsl import load
from nasdsl.plan import Plan
from nasdsl.runner import run_plan

REPEATS = 3
FASHION = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "fashion-mnist"

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

KERAS = """\
experiment bench_dask_keras
seed = 0
budget = {n} evaluations
space global {{ layers = 3..4; ops = [conv3x3, maxpool2x2]; filters = [8, 16, 24, 32] }}
evaluate keras {{ dataset = fashion_mnist; data = "{data}"; epochs = 1; batch_size = 64; subset = {subset}; validation = 0.25 }}
search random
"""


def _timed_run(plan: Plan, folder: Path, **execution) -> tuple[float, int]:
    plan = replace(plan, output=folder, execution=replace(plan.execution, **execution))
    start = time.perf_counter()
    summary = run_plan(plan, fresh=True)
    return time.perf_counter() - start, summary.evaluations


def _line(name: str, value: float, unit: str, baselines: dict[str, float],
          digits: int = 1, note: str = "") -> None:
    parts = [f"{name} {value:,.{digits}f} {unit}"]
    for label, base in baselines.items():
        parts.append(f"baseline_{label} {base:,.{digits}f} {unit} ratio {value / base:.2f}")
    print(" | ".join(parts) + (f" ({note})" if note else ""), flush=True)


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


@dataclass
class Search:
    """One timed search: wall seconds, and CPU seconds of the processes that trained."""

    wall: float
    cpu: float
    evaluations: int

    @property
    def per_minute(self) -> float:
        return 60.0 * self.evaluations / self.wall

    @property
    def cores(self) -> float:
        return self.cpu / self.wall


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _cpu_seconds(pids: list[int] | None) -> float:
    """CPU seconds (user + system, every thread) of the processes `pids`; of this process
    when None."""
    if pids is None:
        return time.process_time()
    import psutil

    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


def _search(plan: Plan, folder: Path, pids: list[int] | None = None,
            cluster: str | None = None) -> Search:
    cpu = _cpu_seconds(pids)
    wall, evaluations = _timed_run(plan, folder, cluster=cluster)
    return Search(wall, _cpu_seconds(pids) - cpu, evaluations)


def _tf_threads() -> tuple[int, int]:
    import tensorflow as tf

    return (tf.config.threading.get_intra_op_parallelism_threads(),
            tf.config.threading.get_inter_op_parallelism_threads())


def _warm(executor: DaskExecutor, factory: Any, arch: Any) -> tuple[float, list[int], str]:
    """One evaluation on each worker of `executor`, side by side, as a run's first ones:
    TensorFlow imported, the dataset loaded, a first graph traced there. Returns the seconds
    until every worker is warm, the workers' pids, and their TensorFlow threads."""
    from nasdsl.cluster import evaluate_on_worker

    client = executor.client
    workers = list(client.scheduler_info()["workers"])
    start = time.perf_counter()
    futures = [client.submit(evaluate_on_worker, factory, arch, 0, workers=[w],
                             allow_other_workers=False, pure=False) for w in workers]
    done = client.gather(futures)
    seconds = time.perf_counter() - start
    for result, _ in done:
        assert result.ok, result.error
    threads = [client.submit(_tf_threads, workers=[w], allow_other_workers=False,
                             pure=False).result() for w in workers]
    pids = list(client.run(os.getpid).values())
    return seconds, pids, ", ".join(f"{a}/{b}" for a, b in threads)


def bench_keras(folder: Path, data: Path, n: int, subset: int, repeats: int) -> None:
    from nasdsl.execution import _evaluate_one
    from nasdsl.runner.components import Components
    from nasdsl.runner.task import RunTask

    print(f"# load average before the Keras search (1, 5, 15 min): {_load()} on "
          f"{os.cpu_count()} cores", flush=True)
    source = folder / "keras.nas"
    source.write_text(KERAS.format(n=n, data=data, subset=subset))
    plan = load(source)
    config = plan.configs[0]
    factory = RunTask("bench", "bench", config, 0, 0, (), Components()).factory
    arch = Components().space(config.space).sample(np.random.default_rng(12345))

    start = time.perf_counter()  # this process: TensorFlow on every core, as without `run`
    result, _ = _evaluate_one(factory, arch, 0)
    first_here = time.perf_counter() - start
    assert result.ok, result.error
    here_threads = "/".join(map(str, _tf_threads()))

    start = time.perf_counter()
    two = DaskExecutor.local(2)  # what `run { workers = 2 }` starts
    cluster_start = time.perf_counter() - start
    one = DaskExecutor.local(1)
    try:
        first_worker, pids2, threads2 = _warm(two, factory, arch)
        _, pids1, threads1 = _warm(one, factory, arch)
        print(f"# TensorFlow threads (intra/inter-op): this process {here_threads}; "
              f"1-worker cluster {threads1}; 2-worker cluster {threads2}", flush=True)
        best: dict[str, Search] = {}
        for r in range(repeats):  # interleaved, best of each: the machine is shared
            for label, pids, address in (("in_process", None, None),
                                         ("1_worker", pids1, one.address),
                                         ("2_workers", pids2, two.address)):
                got = _search(plan, folder / f"{label}{r}", pids, address)
                print(f"#   {label} round {r + 1}: {got.wall:.1f} s wall, {got.cpu:.1f} CPU s, "
                      f"{got.evaluations} evaluations; load {_load()}", flush=True)
                if label not in best or got.wall < best[label].wall:
                    best[label] = got
    finally:
        one.close()
        two.close()
    two_w, one_w, here = best["2_workers"], best["1_worker"], best["in_process"]
    steady = one_w.wall / one_w.evaluations
    _line("keras_search_2_workers", two_w.per_minute, "evaluations/min",
          {"1_worker": one_w.per_minute, "in_process": here.per_minute}, digits=2,
          note="ratios are speed-ups (goals: >= 1.7 vs 1 worker, >= 1.2 vs in-process); "
               "warm workers and process, one-off costs below")
    _line("keras_cores_busy_1_worker", one_w.cores, "cores",
          {"in_process": here.cores}, digits=2,
          note="CPU s / wall s of the worker process (one thread asked) and of this process "
               "(every core)")
    _line("keras_cores_busy_2_workers", two_w.cores, "cores",
          {"1_worker": one_w.cores}, digits=2, note="CPU s / wall s of both worker processes")
    _line("keras_cpu_per_evaluation_2_workers", two_w.cpu / two_w.evaluations, "CPU s",
          {"1_worker": one_w.cpu / one_w.evaluations,
           "in_process": here.cpu / here.evaluations}, digits=2,
          note="the work itself: two workers waste nothing when it matches one worker's")
    _line("dask_local_cluster_start", cluster_start, "s", {"keras_evaluation": steady},
          note="one-off, excluded above: `run { workers = 2 }` starting its cluster")
    _line("keras_first_evaluation_on_fresh_workers", first_worker, "s",
          {"keras_evaluation": steady},
          note="one-off, excluded above: TensorFlow import, dataset load, first trace, "
               "2 workers side by side")
    _line("keras_first_evaluation_in_process", first_here, "s",
          {"keras_evaluation": steady}, note="one-off, excluded above: the same in this process")
    print(f"# load average after (1, 5, 15 min): {_load()}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=5_000,
                   help="lookups per run (default 5000)")
    p.add_argument("--data", help="NAS-Bench-101 data folder (default $NASDSL_DATA)")
    p.add_argument("--fashion-data", type=Path, default=FASHION,
                   help="folder of Fashion-MNIST's four .gz files (default: "
                        "../shared/data/fashion-mnist beside the repository)")
    p.add_argument("--keras-evaluations", type=int, default=8,
                   help="evaluations of the Keras search (default 8)")
    p.add_argument("--images", type=int, default=1200,
                   help="training subset of each Keras evaluation, a quarter held out "
                        "(default 1200)")
    p.add_argument("--repeats", type=int, default=2,
                   help="interleaved rounds of the Keras searches, best of each (default 2)")
    p.add_argument("--skip-lookups", action="store_true", help="only the Keras search")
    args = p.parse_args(argv)
    if args.data:
        os.environ["NASDSL_DATA"] = args.data
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_lookups:
            bench_lookups(args.evaluations, Path(tmp))
        bench_keras(Path(tmp), args.fashion_data.resolve(), args.keras_evaluations,
                    args.images, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
