"""Search-loop speed of regularized evolution and random search on NAS-Bench-101.

Prints one line per figure: name, value, unit, and the baseline measured in the same run with
the ratio. Baselines are the loops written the way upstream examples write them (Python
`random`, the population a list of dicts, `random.sample` + `max` for the tournament,
`pop(0)` for ageing, nothing recorded but the best), driving the same space and evaluator.
Three settings separate the costs: `loop` (a space and evaluator that cost nothing: the
search loop alone), `cell` (the real cell space, a constant evaluator) and `nb101` (the cell
space and the real table lookup). Ours and the baseline alternate, best of `--repeats`.

    python bench/bench_optimizers.py [--data DIR] [--evaluations N] [--repeats R]

`--data` names the NAS-Bench-101 data folder (default: nasdsl's, as `make data` fills it).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from typing import Any, Callable

import numpy as np

from nasdsl.errors import DataError
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import RandomSearch, RegularizedEvolution
from nasdsl.plan import Call
from nasdsl.result import Result
from nasdsl.spaces.cell_space import CellSpace

POPULATION, SAMPLE = 100, 25
MUTATION = Call("flip", {"rate": 1.0})
Evaluate = Callable[[Any], Result]


class _FreeSpace:
    """Architectures that cost nothing to make: the search loop's own cost shows."""

    def sample(self, rng: np.random.Generator) -> int:
        return 0

    def mutate(self, arch: int, rng: np.random.Generator, mutation: Call) -> int:
        return arch + 1


def _naive_evolution(space: Any, evaluate: Evaluate, budget: int, seed: int) -> float:
    rnd = random.Random(seed)
    rng = np.random.default_rng(seed)
    population: list[dict] = []
    best = -1.0
    for _ in range(min(POPULATION, budget)):
        arch = space.sample(rng)
        f = evaluate(arch).fitness or 0.0
        population.append({"arch": arch, "fitness": f})
        best = max(best, f)
    for _ in range(budget - len(population)):
        parent = max(rnd.sample(population, SAMPLE), key=lambda m: m["fitness"])
        child = space.mutate(parent["arch"], rng, MUTATION)
        f = evaluate(child).fitness or 0.0
        population.append({"arch": child, "fitness": f})
        population.pop(0)
        best = max(best, f)
    return best


def _naive_random(space: Any, evaluate: Evaluate, budget: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    best = -1.0
    for _ in range(budget):
        best = max(best, evaluate(space.sample(rng)).fitness or 0.0)
    return best


def _rates(ours: Callable[[], Any], baseline: Callable[[], Any], n: int,
           repeats: int) -> tuple[float, float]:
    """Evaluations per second of each, alternating runs, best of `repeats`."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, out in ((ours, times[0]), (baseline, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return n / min(times[0]), n / min(times[1])


def _line(name: str, value: float, baseline_name: str, baseline: float) -> None:
    print(f"{name} {value:,.0f} evaluations/s  baseline {baseline_name} {baseline:,.0f} "
          f"evaluations/s  ratio {value / baseline:.2f}x", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--evaluations", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    constant = Result(fitness=0.5)
    settings = (("loop", _FreeSpace(), lambda arch: constant),
                ("cell", CellSpace(), lambda arch: constant),
                ("nb101", CellSpace(), evaluator.evaluate))
    n, repeats = args.evaluations, args.repeats
    for tag, space, evaluate in settings:
        re = RegularizedEvolution(space, POPULATION, SAMPLE, MUTATION)
        ours, naive = _rates(lambda: re.optimize(evaluate, n, seed=0),
                             lambda: _naive_evolution(space, evaluate, n, 0), n, repeats)
        _line(f"regularized_evolution[{tag}]", ours, f"naive_evolution[{tag}]", naive)
        ours, naive = _rates(lambda: RandomSearch(space).optimize(evaluate, n, seed=0),
                             lambda: _naive_random(space, evaluate, n, 0), n, repeats)
        _line(f"random_search[{tag}]", ours, f"naive_random[{tag}]", naive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
