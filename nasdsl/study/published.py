"""The study's published figures, in %, as far as they are transcribed here.

None marks a figure not transcribed: the report shows "–" for it rather than a guess. The
study read the official benchmark through NORD; nasdsl's shared table holds the test accuracy
of NAS-Bench-101's first training run, so no figure compares exactly (the report says so).
"""
from __future__ import annotations

METAHEURISTICS = {
    # algorithm: (highest, highest mean, mean, mean of highest, avg. generation of first hit)
    "GACO": (94.121, 94.017, 93.731, 94.088, 31.0),
    "PSO": (94.431, 94.179, 94.029, 94.186, 19.5),
    "ABC": (94.151, 94.018, 87.706, 93.847, 9.0),
    "Random search": (94.061, 92.591, 90.109, 93.964, 18.7),
}
HIGHEST = {name: row[0] for name, row in METAHEURISTICS.items()} | {
    "DQN (chain space)": 93.9,
    "DQN (inputs = 2)": 94.72,
    "Regularized evolution": None,
    "Regularized evolution, study's grow": None,
}
DQN = {
    # set-up: (best found, converges at best, 1- vs 2-network differ)
    "dense": (93.9, "yes", "no"),
    "lstm": (93.9, "yes", "no"),
    "lstm, inputs = 2": (94.72, "no", "yes"),
}
EVOLUTION_GRID = None
"""The study's per-cell figures of its grid, by (P, S) and by rates, are not transcribed (the
specification nasdsl follows gives its finding, not the figures); that finding, the worst results
at the lowest `add_connection` rates, is what the rates table checks."""
FINDING = "worst results at the lowest add_connection rate"
