"""Seeds derived from a run's seed, so that a replayed run draws exactly what it drew before.

A run owns `numpy.random.default_rng(run.seed)` for its optimizer; each evaluation gets its
own seed from (run seed, evaluation index), independent of the order or the process in which
evaluations execute. That is what makes `repeats = sample` reproducible on resume and under
parallel execution.
"""
from __future__ import annotations

_MASK64 = (1 << 64) - 1


def _mix64(z: int) -> int:
    """The splitmix64 finalizer: a bijection on 64-bit integers with good avalanche."""
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB & _MASK64
    return z ^ (z >> 31)


def evaluation_seed(run_seed: int, index: int) -> int:
    """Seed of evaluation `index` of the run seeded `run_seed`, in [0, 2**32).

    32 bits so that every consumer (numpy's legacy `RandomState`, TensorFlow, `random`)
    accepts it.
    """
    z = _mix64((run_seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & _MASK64)
    return _mix64((z + index * 0x9E3779B97F4A7C15) & _MASK64) >> 32
