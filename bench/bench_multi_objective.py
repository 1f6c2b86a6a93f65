"""Several objectives on NAS-Bench-101: speed of the multi-objective path, the hypervolume's
cost, and the fronts searches find (test accuracy against trainable parameters).

Prints one line per figure: name, value, unit, and the baseline measured in the same run with
the ratio.

- `evaluations_per_second`: random search with `objectives` (every result's objective
  vector, the cheap parameters read from the table) against single-objective random search,
  in memory on the same evaluator; goal ≥ 0.5×.
- `hypervolume_10000_points`: seconds to score 10,000 evaluations (EvoXBench's normalisation,
  the non-dominated filter, pygmo's hypervolume), against pygmo's hypervolume of the same
  points unfiltered.
- `hv[SEARCH@N]`: mean (± std) hypervolume of each search's runs of N evaluations, normalised
  as EvoXBench's C-10/MOP1 (by the true front's ideal and nadir, reference (1, 1)), seeds
  0 … `--seeds` − 1; the baseline is random search at the same N. The anchors run on the
  same table: pymoo's NSGA-II as EvoXBench sets it up (population 100, SBX η 30,
  polynomial mutation η 20, integers rounded; the cell's 26 positions, repaired as nasdsl's
  pygmo searches repair them) and Optuna's `NSGAIISampler` (its defaults, one categorical
  choice per position), each at 1,000 evaluations. They need `pip install pymoo optuna`
  (bench-only dependencies; a missing one is skipped with a line saying so).

    python bench/bench_multi_objective.py [--data DIR] [--seeds S] [--budgets N ...]
                                          [--only NAME ...] [--no-anchors]

`--data` names the NAS-Bench-101 data folder (default: nasdsl's, as `make data` fills it).
The searches' settings are those of experiments/nb101_multi_objective.nas.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_limits

from nasdsl.errors import DataError
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.evaluators.optimum import space_front
from nasdsl.objectives import Objective, Objectives, signs
from nasdsl.optimizers import make_optimizer
from nasdsl.pareto import normalise, normalised_hypervolume
from nasdsl.plan import Call
from nasdsl.spaces.cell_space import CellSpace

AIMS = (Objective("test_accuracy", "maximize"), Objective("parameters", "minimize"))
CALLS = [Call(o.sense, {"metric": o.metric}) for o in AIMS]
SEARCHES: dict[str, tuple[str, dict[str, Any]]] = {
    "random": ("random", {}),
    "pareto_local_search": ("pareto_local_search", {}),
    **{f"pygmo.{name}": (f"pygmo.{name}", {"population": 100})
       for name in ("nsga2", "nsga3", "moead", "moead_gen", "nspso", "maco", "ihs")},
}


def _line(name: str, value: float, unit: str, baseline: float | None = None,
          base_name: str = "", extra: str = "") -> None:
    text = f"{name:<34} {value:>12.4f} {unit}"
    if extra:
        text += f" ({extra})"
    if baseline is not None:
        ratio = value / baseline if baseline else float("inf")
        text += f"   baseline {base_name} {baseline:.4f} {unit}, ratio {ratio:.2f}x"
    print(text, flush=True)


def _points(history, aims: Objectives) -> np.ndarray:
    vectors = [aims.vector(e.result) for e in history]
    return np.asarray([v for v in vectors if v is not None]).reshape(-1, len(AIMS))


def _run(label: str, evaluator, cheap, budget: int, seed: int) -> np.ndarray:
    algorithm, settings = SEARCHES[label]
    search = make_optimizer(algorithm, CellSpace(), dict(settings))
    aims = Objectives(AIMS, cheap)
    search.aim(aims)
    return _points(search.optimize(evaluator, budget, seed), aims)


def _speed(evaluator, single, n: int) -> None:
    def rate(ev, aim: bool) -> float:
        best = 0.0
        for seed in range(3):
            search = make_optimizer("random", CellSpace(), {})
            if aim:
                search.aim(Objectives(AIMS))
            start = time.process_time()
            search.optimize(ev, n, seed)
            best = max(best, n / (time.process_time() - start))
        return best

    rate(single, False)  # the table's memos warmed
    base = rate(single, False)
    _line("evaluations_per_second[random]", rate(evaluator, True), "evaluations/s", base,
          "single-objective random")


def _hypervolume_cost(evaluator, true_front: np.ndarray) -> None:
    import pygmo

    points = _run("random", evaluator, None, 10_000, 0)
    start = time.process_time()
    for _ in range(3):
        normalised_hypervolume(points, true_front)
    ours = (time.process_time() - start) / 3
    scaled = normalise(points, true_front)
    scaled = scaled[(scaled < 1).all(axis=1)]
    start = time.process_time()
    pygmo.hypervolume(scaled).compute([1.0, 1.0])
    plain = time.process_time() - start
    _line("hypervolume_10000_points", ours, "s", plain, "pygmo unfiltered")


def _anchor_pymoo(evaluator, true_front: np.ndarray, seeds: int, budget: int) -> float | None:
    try:
        from pymoo.algorithms.moo.nsga2 import NSGA2
        from pymoo.core.problem import Problem
        from pymoo.operators.crossover.sbx import SBX
        from pymoo.operators.mutation.pm import PM
        from pymoo.operators.repair.rounding import RoundingRepair
        from pymoo.operators.sampling.rnd import IntegerRandomSampling
        from pymoo.optimize import minimize
    except ImportError:
        print("anchor pymoo NSGA-II: skipped (pip install pymoo)")
        return None
    from nasdsl.optimizers.pygmo_problem import NASProblem

    space = CellSpace()
    lower, upper = space.bounds
    hvs = []
    for seed in range(seeds):
        seen: list[tuple[float, float]] = []
        decoder = NASProblem.driven(space, lambda archs: [], integer=True)

        class Cells(Problem):
            def __init__(self):
                super().__init__(n_var=len(lower), n_obj=2, xl=lower, xu=upper, vtype=int)

            def _evaluate(self, x, out, *args, **kwargs):
                rows = []
                for vector in x:
                    if len(seen) >= budget:
                        rows.append([1.0, 1e9])
                        continue
                    r = evaluator.evaluate(decoder.decode(vector))
                    v = Objectives(AIMS).vector(r) or (0.0, 1e9)
                    seen.append(v)
                    rows.append(list(v))
                out["F"] = np.asarray(rows, dtype=float)

        algorithm = NSGA2(pop_size=100, sampling=IntegerRandomSampling(),
                          crossover=SBX(eta=30, vtype=float, repair=RoundingRepair()),
                          mutation=PM(eta=20, vtype=float, repair=RoundingRepair()),
                          eliminate_duplicates=True)
        minimize(Cells(), algorithm, ("n_eval", budget), seed=seed, verbose=False)
        hvs.append(normalised_hypervolume(np.asarray(seen[:budget]), true_front))
    return float(np.mean(hvs))


def _anchor_optuna(evaluator, true_front: np.ndarray, seeds: int, budget: int) -> float | None:
    try:
        import optuna
    except ImportError:
        print("anchor Optuna NSGAIISampler: skipped (pip install optuna)")
        return None
    from nasdsl.optimizers.pygmo_problem import NASProblem

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = CellSpace()
    lower, upper = space.bounds
    decoder = NASProblem.driven(space, lambda archs: [], integer=True)
    hvs = []
    for seed in range(seeds):
        seen: list[tuple[float, float]] = []

        def objective(trial):
            x = [trial.suggest_categorical(f"x{i}", list(range(int(lo), int(hi) + 1)))
                 for i, (lo, hi) in enumerate(zip(lower, upper))]
            v = Objectives(AIMS).vector(evaluator.evaluate(decoder.decode(np.asarray(x))))
            v = v or (0.0, 1e9)
            seen.append(v)
            return -v[0], v[1]

        study = optuna.create_study(directions=["maximize", "minimize"],
                                    sampler=optuna.samplers.NSGAIISampler(seed=seed))
        study.optimize(objective, n_trials=budget)
        hvs.append(normalised_hypervolume(np.asarray(seen), true_front))
    return float(np.mean(hvs))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--seeds", type=int, default=30)
    p.add_argument("--budgets", type=int, nargs="+", default=[150, 1000, 10_000])
    p.add_argument("--only", nargs="+", metavar="NAME", choices=sorted(SEARCHES),
                   help="measure only these searches (random search, the baseline, always runs)")
    p.add_argument("--no-anchors", action="store_true", help="leave out pymoo and Optuna")
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:1])
    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness=None, objectives=CALLS,
                                         report=())
        single = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
        cheap = NASBench101Evaluator.cheap_function({"data": args.data})
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    front = space_front({"kind": "nasbench101", "settings": {"data": args.data}}, list(AIMS))
    if front is None:
        print("error: the store holds no test_accuracy or trainable_parameters",
              file=sys.stderr)
        return 1
    true_front = np.asarray(front) * np.asarray(signs(AIMS))
    with threadpool_limits(1):
        _line("true_front_hypervolume", normalised_hypervolume(true_front, true_front),
              "hypervolume", extra=f"{len(true_front)} cells")
        _speed(evaluator, single, 3000)
        _hypervolume_cost(evaluator, true_front)
        labels = ["random"] + [s for s in SEARCHES if s != "random" and
                               (not args.only or s in args.only)]
        for budget in args.budgets:
            base = None
            for label in labels:
                start = time.process_time()
                hvs = [normalised_hypervolume(_run(label, evaluator, cheap, budget, seed),
                                              true_front) for seed in range(args.seeds)]
                seconds = (time.process_time() - start) / args.seeds
                mean = float(np.mean(hvs))
                base = mean if label == "random" else base
                _line(f"hv[{label}@{budget}]", mean, "hypervolume", base, "random",
                      f"± {np.std(hvs):.4f}, {seconds:.1f} s a run")
        if not args.no_anchors:
            for name, anchor in (("pymoo_nsga2", _anchor_pymoo), ("optuna_nsga2", _anchor_optuna)):
                start = time.process_time()
                value = anchor(evaluator, true_front, args.seeds, 1000)
                if value is not None:
                    seconds = (time.process_time() - start) / args.seeds
                    _line(f"hv[{name}@1000]", value, "hypervolume", extra=f"{seconds:.1f} s a run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
