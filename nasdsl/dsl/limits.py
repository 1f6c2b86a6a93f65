"""How much a plan may ask for. A file beyond these is refused with the number, before the
plan is expanded — not after memory runs out building it.

Far above any experiment that can run (the regularized-evolution study's grid is 125
configurations, 1,250 runs, 1.9 million evaluations); a journal holding the largest plan
allowed would already take about a terabyte.
"""
from __future__ import annotations

MAX_CONFIGURATIONS = 100_000
"""Search configurations, all sweeps multiplied."""
MAX_RUNS = 1_000_000
"""Runs: configurations × `repeat`."""
MAX_EVALUATIONS = 10_000_000_000
"""Evaluations the plan's evaluation budgets add up to."""
MAX_SEED = 2 ** 62
"""Largest `seed`: `seed + r` and the seeds derived from it stay 64-bit integers."""
