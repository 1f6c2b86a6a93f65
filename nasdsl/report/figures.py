"""The report's interactive plots as Plotly figures (plain JSON-able dicts): the page
`report.html` and the dashboard draw the same ones with the plotly.js that ships inside the
`plotly` package, so neither needs a network.

Every figure names configurations by the same short labels (`nasdsl.report.labels`), writes
its ticks as plain numbers (`1`, `10`, `100`, `0.001`, never `10⁰`), and says on a log axis
that it is one. A figure with nothing to draw is None: the page leaves it out.
"""
from __future__ import annotations

import json
import math
import warnings
from html import escape

import numpy as np
import pandas as pd

from nasdsl.report.plots import best_so_far_curves

POINTS = 400
"""At most this many points a line: a log axis needs few per decade, and a grid of 7,000
evaluations a run would otherwise send 7,000 per line to the browser."""


def _axis(title: str, log: bool = False, values: list | None = None) -> dict:
    """An axis; a log one ticked at the powers of ten its `values` span, written plainly
    (`1`, `10`, `1,000`, `0.001`), as the PNG plots write them."""
    axis = {"title": {"text": title}, "type": "log" if log else "linear",
            "exponentformat": "none", "showexponent": "none", "zeroline": False}
    if log and values:
        ticks = _decades(values)
        if ticks:
            axis.update(tickvals=ticks, ticktext=[_plain(t) for t in ticks])
    return axis


def _decades(values: list) -> list[float]:
    finite = [float(v) for v in values if v is not None and v > 0 and math.isfinite(v)]
    if not finite:
        return []
    low, high = math.floor(math.log10(min(finite))), math.ceil(math.log10(max(finite)))
    return [10.0 ** k for k in range(low, high + 1)]


def _plain(value: float) -> str:
    return f"{value:,.0f}" if value >= 1 else f"{value:.10f}".rstrip("0").rstrip(".")


def _spanned(traces: list[dict], key: str) -> list:
    return [v for t in traces for v in t[key]]


def _layout(x: dict, y: dict, title: str = "") -> dict:
    return {"xaxis": x, "yaxis": y, "title": {"text": title} if title else None,
            "margin": {"l": 70, "r": 20, "t": 40 if title else 20, "b": 50},
            "legend": {"font": {"size": 11}}, "hovermode": "closest", "height": 420}


def _name(labels: dict[str, str], config: str) -> str:
    """A legend entry: plotly.js reads a few tags in names (`<b>`, `<br>`), so user text is
    escaped to be shown as written."""
    return escape(labels.get(config, config))


def _sample(length: int) -> np.ndarray:
    """Indices 0..length-1 to draw: all of a short line, else spread evenly on a log axis."""
    if length <= POINTS:
        return np.arange(length)
    picked = np.unique(np.geomspace(1, length, POINTS).astype(np.int64) - 1)
    return np.union1d(picked, [length - 1])


def _values(array: np.ndarray) -> list:
    """Floats for JSON, None for gaps (NaN is no JSON)."""
    return [None if not np.isfinite(v) else round(float(v), 6) for v in array]


def _mean(curves: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        return np.nanmean(curves, axis=0)


def best_so_far(evaluations: pd.DataFrame, configs: list[str], labels: dict[str, str],
                fitness: str) -> dict | None:
    """Best fitness so far against evaluations (log axis), mean over runs."""
    traces = []
    for config in configs:
        curves = best_so_far_curves(evaluations, config)
        if not np.isfinite(curves).any():
            continue
        mean = _mean(curves)
        keep = _sample(len(mean))
        traces.append({"type": "scatter", "mode": "lines", "name": _name(labels, config),
                       "x": (keep + 1).tolist(), "y": _values(mean[keep]),
                       "hovertemplate": f"%{{y:.4f}} after %{{x:,}} evaluations "
                                        f"(mean of {curves.shape[0]} runs)<extra>%{{fullData.name}}</extra>"})
    if not traces:
        return None
    return {"data": traces, "layout": _layout(
        _axis("evaluations per run (log scale)", log=True, values=_spanned(traces, "x")),
        _axis(f"best {fitness} so far (mean over runs)"))}


def regret(evaluations: pd.DataFrame, references: dict[str, float | None],
           labels: dict[str, str], fitness: str) -> dict | None:
    """The space's best minus the best so far, both axes on log scales; None when no
    configuration's space has a known best (a Keras experiment's)."""
    traces = []
    for config, best in references.items():
        if best is None:
            continue
        curves = best_so_far_curves(evaluations, config)
        if not np.isfinite(curves).any():
            continue
        mean = _mean(best - curves)
        mean[mean <= 0] = np.nan  # found the best: no point on a log axis
        keep = _sample(len(mean))
        traces.append({"type": "scatter", "mode": "lines", "name": _name(labels, config),
                       "x": (keep + 1).tolist(), "y": _values(mean[keep]),
                       "hovertemplate": "regret %{y:.4f} after %{x:,} evaluations"
                                        "<extra>%{fullData.name}</extra>"})
    if not traces:
        return None
    return {"data": traces, "layout": _layout(
        _axis("evaluations per run (log scale)", log=True, values=_spanned(traces, "x")),
        _axis(f"regret of {fitness} (log scale)", log=True, values=_spanned(traces, "y")))}


def generations(b: pd.DataFrame, configs: list[str], labels: dict[str, str], fitness: str,
                sizes: dict[str, int]) -> dict | None:
    """The best fitness of each generation, mean over runs."""
    traces = []
    for config in configs:
        mine = b[b["config"] == config]
        if mine.empty:
            continue
        mean = mine.groupby("generation")["best"].mean()
        keep = _sample(len(mean))
        size = sizes.get(config)
        traces.append({"type": "scatter", "mode": "lines+markers", "marker": {"size": 4},
                       "name": _name(labels, config),
                       "x": mean.index.to_numpy()[keep].tolist(),
                       "y": _values(mean.to_numpy(dtype=float)[keep]),
                       "hovertemplate": "%{y:.4f} in generation %{x:,}"
                                        + (f" ({size:,} evaluations each)" if size else "")
                                        + "<extra>%{fullData.name}</extra>"})
    if not traces:
        return None
    return {"data": traces, "layout": _layout(
        _axis("generation (0-based)"), _axis(f"best {fitness} of the generation "
                                             "(mean over runs)"))}


def learning_curves(evaluations: pd.DataFrame, configs: list[str],
                    labels: dict[str, str]) -> dict | None:
    """Validation accuracy against epoch of each configuration's best evaluation, where its
    training recorded a `curve` (`[epoch, validation_accuracy, validation_loss]` a row)."""
    if "curve" not in evaluations:
        return None
    ok = evaluations[(evaluations["status"] == "ok") & evaluations["fitness"].notna()
                     & evaluations["curve"].map(lambda c: isinstance(c, list) and bool(c))]
    traces = []
    for config in configs:
        mine = ok[ok["config"] == config]
        if mine.empty:
            continue
        top = mine.loc[mine["fitness"].astype(float).idxmax()]
        points = [p for p in top["curve"] if isinstance(p, list) and len(p) >= 2]
        traces.append({"type": "scatter", "mode": "lines+markers",
                       "name": _name(labels, config),
                       "x": [p[0] for p in points], "y": [p[1] for p in points],
                       "hovertemplate": "validation accuracy %{y:.4f} at epoch %{x}"
                                        f" (run {top['run']}, evaluation {top['index']})"
                                        "<extra>%{fullData.name}</extra>"})
    if not traces:
        return None
    return {"data": traces, "layout": _layout(
        _axis("epoch"), _axis("validation accuracy (best evaluation)"))}


def figure_json(figure: dict) -> str:
    """A figure as JSON safe inside a `<script>` element (no `</script>` can end it)."""
    return (json.dumps(figure, allow_nan=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def plotly_js() -> str:
    """plotly.js as the installed `plotly` package ships it (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


__all__ = ["best_so_far", "figure_json", "generations", "learning_curves", "plotly_js",
           "regret"]
