"""An architecture drawn as an SVG graph, from its NORD descriptor as `best.json` holds it.

Layers are placed top to bottom by their longest distance from the input, side by side
within a level; a connection that skips levels is drawn as a curve beside the straight ones,
so it does not run through the boxes between. Plain SVG text, no library, no network.
"""
from __future__ import annotations

from html import escape
from typing import Mapping, Sequence

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 104, 26, 18, 34, 14
COLOURS = {"input": "#d9d9d9", "output": "#d9d9d9", "conv3x3": "#9ecae1",
           "conv1x1": "#a1d99b", "maxpool3x3": "#fdd0a2"}
_SPARE = ("#dadaeb", "#fcbba1", "#c7e9c0", "#fdae6b", "#bcbddc", "#e5f5e0")


def short_op(op: str) -> str:
    """`conv3x3-bn-relu` reads `conv3x3`: the suffix is the same on every layer."""
    return op.removesuffix("-bn-relu")


def levels(names: Sequence[str], edges: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Longest distance from a layer without inputs, by layer (the graph is a DAG)."""
    incoming: dict[str, int] = {n: 0 for n in names}
    for source, targets in edges.items():
        for t in targets:
            incoming[t] = incoming.get(t, 0) + 1
    level = {n: 0 for n in incoming}
    ready = [n for n in incoming if incoming[n] == 0]
    while ready:
        node = ready.pop(0)
        for t in edges.get(node, ()):
            level[t] = max(level[t], level[node] + 1)
            incoming[t] -= 1
            if incoming[t] == 0:
                ready.append(t)
    return level


def draw(descriptor: Mapping, title: str = "", uid: str = "a") -> str:
    """The `<svg>` element of one descriptor (`layers`: name -> [op, params], `connections`:
    name -> [names]). `uid` keeps its arrow marker's id unique within one page."""
    layers = {str(k): str(v[0]) if isinstance(v, (list, tuple)) else str(v)
              for k, v in dict(descriptor.get("layers") or {}).items()}
    edges = {str(k): [str(t) for t in v]
             for k, v in dict(descriptor.get("connections") or {}).items()}
    level = levels(list(layers), edges)
    rows: dict[int, list[str]] = {}
    for name in layers:
        rows.setdefault(level.get(name, 0), []).append(name)
    widest = max((len(r) for r in rows.values()), default=1)
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X + 2 * BOX_W
    height = 2 * MARGIN + len(rows) * BOX_H + max(len(rows) - 1, 0) * GAP_Y
    where: dict[str, tuple[float, float]] = {}
    for depth, names in sorted(rows.items()):
        span = len(names) * BOX_W + (len(names) - 1) * GAP_X
        left = (width - span) / 2
        for i, name in enumerate(names):
            where[name] = (left + i * (BOX_W + GAP_X) + BOX_W / 2,
                           MARGIN + depth * (BOX_H + GAP_Y) + BOX_H / 2)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="arch" width="{width:.0f}" '
             f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
             f"<title>{escape(title or 'architecture')}</title>",
             f'<defs><marker id="arrow-{uid}" viewBox="0 0 8 8" refX="7" refY="4" '
             'markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
             'fill="#555"/></marker></defs>']
    for source, targets in edges.items():
        for k, target in enumerate(targets):
            if source not in where or target not in where:
                continue
            (x1, y1), (x2, y2) = where[source], where[target]
            y1, y2 = y1 + BOX_H / 2, y2 - BOX_H / 2
            span = level.get(target, 0) - level.get(source, 0)
            if span > 1:  # a quadratic curve reaches half its control point's offset
                side = 1 if (k + len(source)) % 2 else -1
                bend = side * (BOX_W + GAP_X) * (1 + 0.3 * (span - 2))
                cx = (x1 + x2) / 2 + bend
                path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{(y1 + y2) / 2:.1f} {x2:.1f},{y2:.1f}"
            else:
                path = f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}"
            parts.append(f'<path d="{path}" fill="none" stroke="#555" stroke-width="1.2" '
                         f'marker-end="url(#arrow-{uid})"/>')
    spare = iter(_SPARE * 4)
    colours = dict(COLOURS)
    for name, op in layers.items():
        x, y = where[name]
        label = short_op(op)
        if label not in colours:
            colours[label] = next(spare, "#eeeeee")
        parts.append(f'<rect x="{x - BOX_W / 2:.1f}" y="{y - BOX_H / 2:.1f}" width="{BOX_W}" '
                     f'height="{BOX_H}" rx="5" fill="{colours[label]}" stroke="#333"/>')
        parts.append(f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" '
                     f'font-size="12" font-family="sans-serif">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
