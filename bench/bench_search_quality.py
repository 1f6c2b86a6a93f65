"""Seconds per 1,500-evaluation run of each search on NAS-Bench-101, on one core.

Prints one line per algorithm: name, value, unit, and the baseline measured in the same run
(random search, whose loop costs next to nothing beyond the table lookups) with the ratio.
Each run is timed in CPU seconds of this process (`time.process_time`), the process pinned to
one core and numpy's BLAS limited to one thread, so other work on a shared machine does not
count; best of `--repeats`.
Goal: BANANAS and PPO under 60 s, the others under 5 s.

    python bench/bench_search_quality.py [--data DIR] [--evaluations N] [--repeats R]
                                         [--only NAME ...]

`--data` names the NAS-Bench-101 data folder (default: nasdsl's, as `make data` fills it).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

from threadpoolctl import threadpool_limits

from nasdsl.errors import DataError
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers import Optimizer, RandomSearch, RegularizedEvolution
from nasdsl.optimizers.bananas import Bananas
from nasdsl.optimizers.local_search import LocalSearch
from nasdsl.optimizers.ppo import PPOSearch
from nasdsl.spaces.cell_space import CellSpace


def _seconds(make: Callable[[], Optimizer], evaluator, n: int, repeats: int) -> float:
    times = []
    for seed in range(repeats):
        start = time.process_time()
        history = make().optimize(evaluator, budget=n, seed=seed)
        times.append(time.process_time() - start)
        assert len(history) == n
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--evaluations", type=int, default=1500)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--only", nargs="+", metavar="NAME",
                   help="time only these searches (random search, the baseline, always runs)")
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):  # before TensorFlow starts its thread pools
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:1])
    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
        evaluator.evaluate(CellSpace().sample(__import__("numpy").random.default_rng(0)))
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    space = CellSpace()
    searches: list[tuple[str, Callable[[], Optimizer]]] = [
        ("random", lambda: RandomSearch(space)),
        ("regularized_evolution", lambda: RegularizedEvolution(space, 64, 16, "flip")),
        ("local_search", lambda: LocalSearch(space, initial=20)),
        ("bananas[retrain=10]", lambda: Bananas(space, retrain=10)),
        ("bananas[retrain=30]", lambda: Bananas(space, retrain=30)),
        # The settings of experiments/nb101_search_quality.nas.
        ("ppo", lambda: PPOSearch(space, entropy=0.05)),
    ]
    if args.only:
        unknown = set(args.only) - {name for name, _ in searches}
        if unknown:
            print(f"error: no search named {', '.join(sorted(unknown))} here; choose from "
                  f"{', '.join(name for name, _ in searches)}", file=sys.stderr)
            return 2
        searches = [searches[0]] + [s for s in searches[1:] if s[0] in args.only]
    n, repeats = args.evaluations, args.repeats
    with threadpool_limits(1):
        _seconds(searches[0][1], evaluator, n, 1)  # warm the table's memos first
        baseline = _seconds(searches[0][1], evaluator, n, repeats)
        for name, make in searches:
            value = _seconds(make, evaluator, n, repeats)
            print(f"{name} {value:.2f} s/run  baseline random {baseline:.2f} s/run  "
                  f"ratio {value / baseline:.1f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
