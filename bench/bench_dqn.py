"""Speed of the DQN controller (dense and LSTM) against random search over the same space.

Prints one line per figure: name, value, unit, and the baseline measured in the same run with
the ratio. A figure is a whole run of `--episodes` episodes on the real NAS-Bench-101 table
(each episode builds and evaluates one architecture), after a short warm-up run that imports
TensorFlow and traces the compiled steps (its time is printed too: a study pays it once per
process). The baseline is random search evaluating as many architectures of the same space
with the same evaluator. The process is pinned to `--cores` cores (default 1) before
TensorFlow starts, so its thread pools fit them; the processor time of each run is printed
beside its wall time (on a machine shared with other work, the wall time also counts theirs).

    python bench/bench_dqn.py [--data DIR] [--episodes N] [--space chain|wide] [--cores C]
"""
from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--episodes", type=int, default=1000)
    p.add_argument("--space", choices=["chain", "wide"], default="chain")
    p.add_argument("--cores", type=int, default=1)
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:max(args.cores, 1)])

    from nasdsl.errors import DataError
    from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
    from nasdsl.optimizers import RandomSearch
    from nasdsl.plan import Call
    from nasdsl.spaces.cell_space import CellSpace

    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    space = CellSpace(topology="chain") if args.space == "chain" else CellSpace(inputs=2)
    n = args.episodes

    m = max(n, 20_000)  # enough evaluations to time random search
    start = time.perf_counter()
    RandomSearch(space).optimize(evaluator.evaluate, m, seed=0)
    random_rate = m / (time.perf_counter() - start)

    start = time.perf_counter()
    from nasdsl.optimizers.dqn import DQNSearch  # noqa: E402  (TensorFlow loads here)
    import nasdsl.optimizers.qnetwork  # noqa: F401
    imported = time.perf_counter() - start
    print(f"import_tensorflow {imported:.1f} s  (once per process)", flush=True)

    for network in (Call("dense", {"units": [64, 64]}), Call("lstm", {"units": 64})):
        tag = f"dqn_{network.name}[{args.space}]"
        start = time.perf_counter()
        DQNSearch(space, network=network).optimize(evaluator.evaluate, 20, seed=1)
        warm = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        history = DQNSearch(space, network=network).optimize(evaluator.evaluate, n, seed=0)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert len(history) == n
        rate = n / seconds
        print(f"{tag} {rate:,.1f} episodes/s ({seconds:.1f} s, cpu {cpu:.1f} s per {n:,} "
              f"episodes; first run of 20 episodes {warm:.1f} s with tracing)  baseline "
              f"random_search[{args.space}] {random_rate:,.0f} evaluations/s  ratio "
              f"{rate / random_rate:.4f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
