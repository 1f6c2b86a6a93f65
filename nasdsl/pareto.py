"""Pareto fronts and their quality: non-dominated sets, EvoXBench's normalisation,
hypervolume (pygmo's, never hand-written) and IGD.

Points are rows of objective values in minimization form (see `nasdsl.objectives`).
EvoXBench scores a set of points against the true front of the space: every objective is
normalised by the true front's ideal and nadir points, `(f - ideal) / (nadir - ideal)`, and
the hypervolume is taken against the reference point (1, …, 1); points beyond it add nothing.
"""
from __future__ import annotations

import numpy as np


def nondominated(points: np.ndarray) -> np.ndarray:
    """A boolean mask of the points no other point dominates (minimization; of equal points
    the first is kept). Two objectives in O(n log n), more in O(n²) over the candidates."""
    pts = np.asarray(points, dtype=float)
    n = len(pts)
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    finite = np.isfinite(pts).all(axis=1)
    index = np.flatnonzero(finite)
    if index.size == 0:
        return keep
    p = pts[index]
    if p.shape[1] == 2:  # sorted by the first, kept where the second beats all before it
        order = np.lexsort((np.arange(len(p)), p[:, 1], p[:, 0]))
        second = p[order, 1]
        before = np.concatenate(([np.inf], np.minimum.accumulate(second)[:-1]))
        keep[index[order[second < before]]] = True
        return keep
    order = np.lexsort(tuple(p[:, k] for k in reversed(range(p.shape[1]))))
    chosen: list[int] = []
    for i in order:
        q = p[i]
        if chosen:
            c = p[chosen]
            if np.any(np.all(c <= q, axis=1)):
                continue
        chosen.append(i)
    keep[index[chosen]] = True
    return keep


def front(points: np.ndarray) -> np.ndarray:
    """The non-dominated points, sorted by the first objective."""
    pts = np.asarray(points, dtype=float)
    f = pts[nondominated(pts)]
    return f[np.lexsort(tuple(f[:, k] for k in reversed(range(f.shape[1]))))] if len(f) else f


def normalise(points: np.ndarray, true_front: np.ndarray) -> np.ndarray:
    """Points scaled by the true front's ideal and nadir points (EvoXBench)."""
    tf = np.asarray(true_front, dtype=float)
    ideal, nadir = tf.min(axis=0), tf.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    return (np.asarray(points, dtype=float).reshape(-1, tf.shape[1]) - ideal) / span


def hypervolume(points: np.ndarray, reference: np.ndarray | None = None) -> float:
    """The hypervolume the points dominate up to `reference` (default all ones), by pygmo;
    points not strictly better than the reference on every objective add nothing."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or len(pts) == 0:
        return 0.0
    ref = np.ones(pts.shape[1]) if reference is None else np.asarray(reference, dtype=float)
    inside = pts[np.isfinite(pts).all(axis=1) & (pts < ref).all(axis=1)]
    if len(inside) == 0:
        return 0.0
    import pygmo

    inside = inside[nondominated(inside)]
    return float(pygmo.hypervolume(inside).compute(ref))


def normalised_hypervolume(points: np.ndarray, true_front: np.ndarray) -> float:
    """EvoXBench's hypervolume of a set of points against the space's true front."""
    return hypervolume(normalise(points, true_front))


def igd(points: np.ndarray, true_front: np.ndarray) -> float:
    """Inverted generational distance in the normalised space: the mean, over the true
    front's points, of the distance to the nearest of `points` (0: the whole front found);
    infinite for no points."""
    found = normalise(points, true_front)
    found = found[np.isfinite(found).all(axis=1)]
    found = found[nondominated(found)]
    if len(found) == 0:
        return float("inf")
    target = normalise(true_front, true_front)
    distances = np.sqrt(((target[:, None, :] - found[None, :, :]) ** 2).sum(axis=2))
    return float(distances.min(axis=1).mean())


def share_found(points: np.ndarray, true_front: np.ndarray, tolerance: float = 1e-9) -> float:
    """The share of the true front's points that are among `points` (equal within a relative
    `tolerance` on every objective)."""
    tf = np.asarray(true_front, dtype=float)
    pts = np.asarray(points, dtype=float).reshape(-1, tf.shape[1])
    if len(tf) == 0:
        return 0.0
    if len(pts) == 0:
        return 0.0
    scale = np.maximum(np.abs(tf), 1e-12)
    hit = (np.abs(tf[:, None, :] - pts[None, :, :]) <= tolerance * scale[:, None, :]).all(axis=2)
    return float(hit.any(axis=1).mean())
