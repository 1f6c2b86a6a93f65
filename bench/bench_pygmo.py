"""Speed of pygmo searches in `nasdsl run` on NAS-Bench-101, journal on.

One line per figure: name, value, unit, and the baseline measured in the same run with the
ratio.

- `run_pygmo_<algorithm>_journaled`: evaluations per CPU second of a pygmo search through
  the runner in one process (pygmo's loop, decoding and repair, the journal), against the
  runner's random search on the same table in the same run (goal: at least half its rate).
  PSO and ABC ask one candidate at a time, GACO and PSO-gen one generation at a time. CPU
  time, because the machine may be shared; best of three, interleaved.
- `nb101_metaheuristics_wall`: `nasdsl run experiments/nb101_metaheuristics.nas` from a fresh
  journal to the written report (goal: under 30 s on 2 cores), against the CPU time it used
  in all its processes (workers included): on two idle cores with its two workers the wall
  time comes below that CPU time (ratio under 1); a ratio above 1 means the machine was
  busy with other work (the load average is printed).
- `--repair` also compares the two rules for vectors that decode to no valid cell (minutes):
  the mean over runs of each run's best test accuracy with repair, against evaluating such
  vectors as invalid (scored as accuracy 0, as the study did), for GACO, PSO, ABC, DE, SGA
  and CMA-ES with the study's 50 generations of 30; the invalid share is printed beside.

    python bench/bench_pygmo.py [--evaluations N] [--data DIR] [--repair [--runs R]]

Needs the NAS-Bench-101 store (`make data`); `--data` or $NASDSL_DATA say where it is.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from nasdsl.dsl import load, loads
from nasdsl.experiment import run_experiment
from nasdsl.runner import run_plan

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3
SEARCHES = {
    "random": "search random",
    "pso": "search pygmo.pso { population = 30 }",
    "bee_colony": "search pygmo.bee_colony { population = 30; limit = 20 }",
    "gaco": "search pygmo.gaco { population = 30; ker = 13 }",
    "pso_gen": "search pygmo.pso_gen { population = 30 }",
}
EXPERIMENT = """\
experiment bench_pygmo
seed = 0
budget = {n} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy; report = [test_accuracy] }}
{search}
output = "{output}"
"""


def _seconds(name: str, n: int, folder: Path) -> float:
    """CPU seconds of one run of `n` evaluations (this process does all the work)."""
    plan = loads(EXPERIMENT.format(n=n, search=SEARCHES[name], output=folder / name))
    start = time.process_time()
    summary = run_plan(plan, fresh=True)
    elapsed = time.process_time() - start
    assert summary.evaluations == n, (name, summary.evaluations)
    return elapsed


def bench_rates(n: int, folder: Path) -> None:
    """Prints one line per pygmo search."""
    _seconds("random", 500, folder)  # load the table's columns, import pygmo
    _seconds("pso", 500, folder)
    best = {name: float("inf") for name in SEARCHES}
    for _ in range(REPEATS):  # interleaved, best of each: the machine may be busy
        for name in SEARCHES:
            best[name] = min(best[name], _seconds(name, n, folder))
    random_rate = n / best["random"]
    for name in SEARCHES:
        if name == "random":
            continue
        rate = n / best[name]
        print(f"run_pygmo_{name}_journaled {rate:,.0f} evaluations/CPU s | baseline_random "
              f"{random_rate:,.0f} evaluations/CPU s ratio {rate / random_rate:.2f}",
              flush=True)


def bench_experiment(folder: Path) -> None:
    plan = load(ROOT / "experiments" / "nb101_metaheuristics.nas")
    plan = replace(plan, output=folder / "nb101_metaheuristics")
    total = sum(c.budget.amount for c in plan.configs) * plan.repeat
    start = time.perf_counter()
    cpu = _cpu()
    summary = run_experiment(plan, fresh=True)
    elapsed = time.perf_counter() - start
    cpu = _cpu() - cpu
    assert summary.evaluations == total
    print(f"nb101_metaheuristics_wall {elapsed:,.1f} s ({int(total):,} evaluations, "
          f"{plan.execution.workers} workers, report included; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores) | baseline_cpu_all_processes "
          f"{cpu:,.1f} s ratio {elapsed / cpu:.2f}", flush=True)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


STUDY = {
    "gaco": ("gaco", dict(gen=50, ker=13, q=1.0, oracle=1e9, acc=0.0, threshold=1,
                          n_gen_mark=7, impstop=100000, evalstop=100000, focus=0.0,
                          memory=False)),
    "pso": ("pso", dict(gen=50, omega=0.7298, eta1=2.05, eta2=2.05, max_vel=0.5, variant=1,
                        neighb_type=1, neighb_param=4, memory=False)),
    "abc": ("bee_colony", dict(gen=50, limit=20)),
    "de": ("de", dict(gen=50)),
    "sga": ("sga", dict(gen=50)),
    "cmaes": ("cmaes", dict(gen=50)),
}


def bench_repair(runs: int) -> None:
    """Repair against invalid, the same seeds for both, outside the runner (pygmo's own
    loop on `NASProblem`)."""
    import pygmo

    from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
    from nasdsl.optimizers.pygmo_catalog import integer_native
    from nasdsl.optimizers.pygmo_problem import NASProblem
    from nasdsl.spaces.cell_space import CellSpace

    space = CellSpace()
    evaluator = NASBench101Evaluator(fitness="test_accuracy", report=())
    for label, (name, kwargs) in STUDY.items():
        outcome = {}
        for repair in (True, False):
            bests, invalid = [], []
            for run in range(runs):
                problem = NASProblem(space, evaluator, integer=integer_native(name),
                                     repair=repair, seed=run)
                population = pygmo.population(pygmo.problem(problem), 30, seed=1000 + run)
                algorithm = getattr(pygmo, name)(seed=2000 + run, **kwargs)
                pygmo.algorithm(algorithm).evolve(population)
                history = problem.history
                bests.append(history.best().fitness)
                invalid.append(np.mean([e.result.status != "ok" for e in history]))
            outcome[repair] = (100 * np.mean(bests), 100 * np.std(bests) / np.sqrt(runs),
                               100 * np.mean(invalid))
        (ours, se, _), (base, base_se, share) = outcome[True], outcome[False]
        print(f"repair_{label}_mean_best {ours:.3f} % (± {se:.3f}, {runs} runs) | "
              f"baseline_invalid {base:.3f} % (± {base_se:.3f}; {share:.1f} % of its "
              f"evaluations invalid) ratio {ours / base:.4f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evaluations", type=int, default=3_000, help="per search (default 3000)")
    p.add_argument("--data", help="NAS-Bench-101 data folder (default $NASDSL_DATA)")
    p.add_argument("--repair", action="store_true", help="also compare repair with invalid")
    p.add_argument("--runs", type=int, default=30, help="runs per rule with --repair")
    args = p.parse_args(argv)
    if args.data:
        os.environ["NASDSL_DATA"] = args.data
    with tempfile.TemporaryDirectory() as tmp:
        bench_rates(args.evaluations, Path(tmp))
        bench_experiment(Path(tmp))
    if args.repair:
        bench_repair(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
