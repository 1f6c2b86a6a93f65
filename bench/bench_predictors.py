"""Which library should BANANAS's predictor use? Accuracy and refit time on NAS-Bench-101.

For each training size n (cells drawn from the space as a search draws them, scored by the
table), an ensemble of 5 predictors is fitted on the path encoding and ranks 2,000 held-out
cells of accuracy above 0.9 (where a search needs to rank well): Kendall's tau between
predicted and true accuracy, and CPU seconds per fit (BLAS and every library on one
thread). The baseline is scikit-learn's MLPRegressor; LightGBM and scikit-learn are measured
only when installed (they are not dependencies of nasdsl).

    python bench/bench_predictors.py [--data DIR] [--sizes 150 500 1500]
"""
from __future__ import annotations

import argparse
import sys
import time
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from nasdsl.errors import DataError
from nasdsl.evaluators.nasbench101 import NASBench101Evaluator
from nasdsl.optimizers.mlp_ensemble import MLPEnsemble
from nasdsl.spaces.cell_space import CellSpace
from nasdsl.spaces.path_encoding import features

Fit = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
"""(train x, train y, test x) -> mean prediction over the ensemble."""


def kendall_tau(a: np.ndarray, b: np.ndarray) -> float:
    """Kendall's tau-a of two score vectors (all pairs; a few thousand points)."""
    sa = np.sign(a[:, None] - a[None, :])
    sb = np.sign(b[:, None] - b[None, :])
    n = len(a)
    return float((sa * sb).sum() / (n * (n - 1)))


def _numpy_mlp(x, y, test):
    return MLPEnsemble(x.shape[1], seed=0).fit(x, y).predict(test).mean(axis=0)


def _sklearn_mlp(x, y, test):
    from sklearn.neural_network import MLPRegressor

    return np.mean([MLPRegressor(hidden_layer_sizes=(32, 32), learning_rate_init=0.005,
                                 max_iter=200, random_state=s).fit(x, y).predict(test)
                    for s in range(5)], axis=0)


def _lightgbm(x, y, test):
    import lightgbm

    return np.mean([lightgbm.LGBMRegressor(n_estimators=200, learning_rate=0.05, num_leaves=15,
                                           min_child_samples=5, subsample=0.8, subsample_freq=1,
                                           random_state=s, n_jobs=1, verbose=-1)
                    .fit(x, y).predict(test) for s in range(5)], axis=0)


def _cells(space, evaluator, rng, n, keep=lambda f: True):
    xs, ys, seen = [], [], set()
    while len(ys) < n:
        cell = space.sample(rng)
        key = space.key(cell)
        f = evaluator.evaluate(cell).fitness
        if key in seen or f is None or not keep(f):
            continue
        seen.add(key)
        xs.append(features(space, cell))
        ys.append(f)
    return np.array(xs), np.array(ys)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="NAS-Bench-101 data folder (default: nasdsl's)")
    p.add_argument("--sizes", type=int, nargs="+", default=[150, 500, 1500])
    args = p.parse_args(argv)
    try:
        evaluator = NASBench101Evaluator(data=args.data, fitness="test_accuracy", report=())
        space = CellSpace()
        test_x, test_y = _cells(space, evaluator, np.random.default_rng(1), 2000,
                                keep=lambda f: f > 0.9)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    fits: list[tuple[str, Fit]] = [("numpy_mlp_ensemble", _numpy_mlp)]
    for name, module, fit in (("sklearn_mlp_ensemble", "sklearn", _sklearn_mlp),
                              ("lightgbm_ensemble", "lightgbm", _lightgbm)):
        try:
            __import__(module)
            fits.append((name, fit))
        except ImportError:
            print(f"{name}: not installed, skipped")
    for n in args.sizes:
        x, y = _cells(space, evaluator, np.random.default_rng(100 + n), n)
        measured = {}
        with threadpool_limits(1):
            for name, fit in fits:
                start = time.process_time()
                predicted = fit(x, y, test_x)
                measured[name] = (time.process_time() - start,
                                  kendall_tau(predicted, test_y))
        base = measured.get("sklearn_mlp_ensemble")
        for name, (seconds, tau) in measured.items():
            line = f"{name}[n={n}] tau {tau:.3f}, fit {seconds:.2f} s"
            if base is not None:
                line += (f"  baseline sklearn_mlp_ensemble tau {base[1]:.3f}, fit {base[0]:.2f} s"
                         f"  ratio {seconds / base[0]:.2f}x time")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
