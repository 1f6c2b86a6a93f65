"""Speed of the DQN controller (dense and LSTM) against its TensorFlow implementation.

Prints one line per figure: name, value, unit, and the baseline measured in the same run with
the ratio. A figure is the processor time of a whole run of `--episodes` episodes on the real
NAS-Bench-101 table (each episode builds and evaluates one architecture); the baseline is the
same run (same seed, same algorithm, same minibatch draws) with the Q-networks as they were
before numpy: Keras 3 and compiled TensorFlow functions (`_tf_qnetwork.py`, kept here only for
this), after a short warm-up run that imports TensorFlow and traces them (printed apart: a
study pays it once per process). Processor seconds are the fair figure on a machine shared
with other work (wall time also counts theirs); the load average is printed beside them. The
process is pinned to `--cores` cores (default 1) before numpy and TensorFlow start.

    python bench/bench_dqn.py [--data DIR] [--episodes N] [--space chain|wide]
                              [--network dense|lstm|both] [--cores C] [--no-baseline]
                              [--one-network] [--seeds K]

The issue's figures: `--space chain --network dense --episodes 1000` (goal <= 2 CPU s) and
`--space wide --network lstm --episodes 2000` (goal <= 20 CPU s).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any


def _timed(search: Any, evaluator: Any, episodes: int) -> tuple[float, float, list[str]]:
    """CPU and wall seconds of one run of seed 0, and the architectures it evaluated."""
    start, cpu = time.perf_counter(), time.process_time()
    history = search.optimize(evaluator.evaluate, episodes, seed=0)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - start
    assert len(history) == episodes
    return cpu, wall, [str(search.space.key(e.arch)) for e in history]


def _best(search: Any, evaluator: Any, episodes: int, seed: int) -> float:
    """The best fitness a run of `seed` found."""
    return max(e.fitness for e in search.optimize(evaluator.evaluate, episodes, seed=seed))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--episodes", type=int, default=1000)
    p.add_argument("--space", choices=["chain", "wide"], default="chain")
    p.add_argument("--network", choices=["dense", "lstm", "both"], default="both")
    p.add_argument("--cores", type=int, default=1)
    p.add_argument("--no-baseline", action="store_true", help="skip the TensorFlow runs")
    p.add_argument("--one-network", action="store_true",
                   help="no target network (the study's 1-network runs)")
    p.add_argument("--seeds", type=int, default=0,
                   help="also compare the best fitness found, mean over runs of seeds 0..K-1")
    args = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:max(args.cores, 1)])

    from nasdsl.errors import DataError
    from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
    from nasdsl.optimizers.dqn import DQNSearch
    from nasdsl.plan import Call
    from nasdsl.spaces.cell_space import CellSpace

    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    space = CellSpace(topology="chain") if args.space == "chain" else CellSpace(inputs=2)
    n = args.episodes
    networks = [Call("dense", {"units": [64, 64]}), Call("lstm", {"units": 64})]
    networks = [c for c in networks if args.network in ("both", c.name)]
    settings = {"target_network": not args.one_network}

    baseline: Any = None
    if not args.no_baseline:
        start = time.perf_counter()
        import _tf_qnetwork  # TensorFlow loads here

        class BaselineSearch(DQNSearch):
            """The controller with the TensorFlow Q-networks."""

            def _networks(self, seed: int) -> Any:
                env, units = self.environment, self.network.args["units"]
                shape = _tf_qnetwork.Shape(
                    self.network.name, tuple(units) if isinstance(units, list) else (units,),
                    env.vocabulary, env.sequence_length, env.num_actions)
                return _tf_qnetwork.QNetworks(
                    shape, seed, self.learning_rate, self.gamma,
                    self.target_update if self.target_network else None)

        baseline = BaselineSearch
        print(f"import_tensorflow {time.perf_counter() - start:.1f} s  (baseline only, once "
              "per process)", flush=True)

    for network in networks:
        tag = f"dqn_{network.name}{'_one_network' if args.one_network else ''}[{args.space}]"
        cpu, wall, keys = _timed(DQNSearch(space, network=network, **settings), evaluator, n)
        line = (f"{tag} {cpu:.1f} cpu_s per {n:,} episodes ({n / cpu:,.0f} episodes per CPU s;"
                f" wall {wall:.1f} s; load {os.getloadavg()[0]:.1f})")
        if baseline is not None:
            start = time.perf_counter()
            baseline(space, network=network, **settings).optimize(evaluator.evaluate, 20, seed=1)
            warm = time.perf_counter() - start
            old_cpu, old_wall, old_keys = _timed(baseline(space, network=network, **settings),
                                                 evaluator, n)
            same = sum(a == b for a, b in zip(keys, old_keys))
            line += (f"  baseline {tag}_tensorflow {old_cpu:.1f} cpu_s (wall {old_wall:.1f} s;"
                     f" first run of 20 episodes {warm:.1f} s with tracing)  ratio "
                     f"{old_cpu / cpu:.1f}x  same architectures {same:,} of {n:,}")
        print(line, flush=True)
        if args.seeds:
            searches = {"numpy": DQNSearch, "tensorflow": baseline}
            found = {name: [_best(cls(space, network=network, **settings), evaluator, n, seed)
                            for seed in range(args.seeds)]
                     for name, cls in searches.items() if cls is not None}
            print(f"{tag}_best_found mean over seeds 0..{args.seeds - 1}: " + "  ".join(
                f"{name} {sum(v) / len(v):.5f} ({' '.join(f'{x:.5f}' for x in v)})"
                for name, v in found.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
