"""`report.html`: the whole report as one self-contained page.

It leads with the answer (a sentence naming the best configuration, the study's tables, the
best configurations by their short labels), then the interactive plots (Plotly, with the
plotly.js of the installed `plotly` package inside the page), each configuration's best
architecture drawn as an inline SVG graph, and the full summary, sortable and filterable,
with a legend of its columns: the file opens from disk, mailed or copied anywhere, with no
server and no network. The page records in `#page-check` how many of its images and plots
it drew and any error it met (`data-images`, `data-loaded`, `data-plots`, `data-drawn`,
`data-failures`), so a program that opens it in a browser can tell a broken page from a
whole one.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from nasdsl.report.columns import legend
from nasdsl.report.figures import figure_json, plotly_js
from nasdsl.report.graph_svg import draw
from nasdsl.report.numbers import is_number, number_text

REPORT_HTML = "report.html"
FRONT_COLUMNS = ("hypervolume", "hypervolume_std", "igd", "igd_std", "share_found")
"""Summary columns of multi-objective configurations (`nasdsl.report.fronts`), shown too."""


@dataclass
class Page:
    """What one report page shows, in order: the answer first (the lead, the study's tables,
    the best configurations), then the plots, the best architectures, and the full summary
    (sortable, filterable) at the bottom."""

    title: str
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    figures: list[tuple[str, dict]] = field(default_factory=list)
    """(caption, Plotly figure: `nasdsl.report.figures`)."""
    images: list[tuple[str, bytes]] = field(default_factory=list)
    """(caption, PNG bytes): plots drawn only as pictures (a multi-fidelity run's rungs)."""
    tables: list[tuple[str, pd.DataFrame, str]] = field(default_factory=list)
    """(heading, table, note under it): the study's, before the best configurations."""
    after: list[tuple[str, pd.DataFrame, str]] = field(default_factory=list)
    """(heading, table, note under it): after the plots (the controllers')."""
    best: dict = field(default_factory=dict)
    """The best.json document."""
    labels: dict[str, str] = field(default_factory=dict)
    """Configuration -> its short label (the keys that differ)."""


STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;
color:#222}
h1{font-size:1.5em;overflow-wrap:anywhere}
h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0;max-width:100%}
th,td{border:1px solid #ccc;padding:.25em .45em;overflow-wrap:anywhere}
th{background:#f3f3f3;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.sortable th{cursor:pointer}table.sortable th[aria-sort]::after{content:" \\2195"}
.scroll{overflow-x:auto}.note{color:#555;font-size:.9em}.lead{font-size:1.05em}
figure{display:inline-block;margin:.5em;vertical-align:top;text-align:center}
figure.plot{display:block;margin:.5em 0}.plot-area{width:100%;min-height:420px}
figcaption{font-size:.8em;max-width:48em;margin:auto}
dl.legend{font-size:.85em;display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em}
dl.legend dt{font-weight:600}dl.legend dd{margin:0}
input.filter{margin:.3em 0;padding:.2em .4em;width:24em;max-width:100%}
"""

_CHECK = """
(function(){
  var failures = [];
  window.addEventListener('error', function (e) {
    var t = e.target;
    if (t && t.tagName === 'IMG') { failures.push('image failed: ' + (t.alt || t.src.slice(0, 40))); }
    else { failures.push('error: ' + (e.message || 'unknown')); }
  }, true);
  window.addEventListener('load', function () {
    var images = document.images, loaded = 0;
    for (var i = 0; i < images.length; i++) {
      if (images[i].complete && images[i].naturalWidth > 0) { loaded++; }
    }
    var plots = document.querySelectorAll('.plot-area');
    var drawn = document.querySelectorAll('.plot-area .main-svg').length ?
      Array.prototype.filter.call(plots, function (p) { return p.querySelector('.main-svg'); }).length : 0;
    var check = document.getElementById('page-check');
    check.setAttribute('data-images', String(images.length));
    check.setAttribute('data-loaded', String(loaded));
    check.setAttribute('data-plots', String(plots.length));
    check.setAttribute('data-drawn', String(drawn));
    check.setAttribute('data-failures', failures.join('; '));
  });
})();
"""

TABLE_JS = """
(function(){
  function key(cell) {
    var v = cell.getAttribute('data-v');
    if (v !== null && v !== '') { return parseFloat(v); }
    return cell.textContent;
  }
  function sortBy(table, col, th) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    var down = th.getAttribute('aria-sort') === 'ascending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', down ? 'descending' : 'ascending');
    rows.sort(function (a, b) {
      var x = key(a.cells[col]), y = key(b.cells[col]);
      var r = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
      if (isNaN(r)) { r = isNaN(x) ? 1 : -1; }
      return down ? -r : r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function wire(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.addEventListener('click', function () { sortBy(table, col, th); });
    });
  }
  function filter(input) {
    var table = document.getElementById(input.getAttribute('data-table'));
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var text = row.textContent.toLowerCase();
      row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
    });
  }
  window.nasdslTables = function (root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('table.sortable'), wire);
    Array.prototype.forEach.call((root || document).querySelectorAll('input.filter'), function (i) {
      i.addEventListener('input', function () { filter(i); });
    });
  };
  document.addEventListener('DOMContentLoaded', function () { window.nasdslTables(); });
})();
"""


def cell_text(value: object, column: str = "", percent: bool = False) -> tuple[str, bool]:
    """A table cell's text (`nasdsl.report.numbers`), and whether it is a number
    (right-aligned)."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if value is None or value is pd.NA:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if is_number(value):
        return number_text(value, column, percent), True
    return str(value), False


def table_html(table: pd.DataFrame, table_id: str = "", row_key: str = "",
               sortable: bool = False, titles: dict[str, str] | None = None) -> str:
    """An HTML table: a header row (each with its meaning as a tip from `titles`), one body
    row per row of `table`; numbers as `nasdsl.report.numbers` writes them, percentages where
    `table.attrs["percent"]` names the column. Every text is escaped."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    kind = ' class="sortable"' if sortable else ""
    percent = set(table.attrs.get("percent", ()))
    names = [str(c) for c in table.columns]
    head = "".join(
        f"<th{_tip((titles or {}).get(c))}>{escape(c.replace('_', ' '))}</th>" for c in names)
    body = []
    for row in table.itertuples(index=False):
        cells = []
        for value, column in zip(row, names):
            text, numeric = cell_text(value, column, column in percent)
            if numeric:
                raw = value.item() if hasattr(value, "item") else value
                cells.append(f'<td class="n" data-v="{escape(repr(float(raw)))}">'
                             f"{escape(text)}</td>" if text != "–" else
                             f'<td class="n" data-v="">{escape(text)}</td>')
            else:
                cells.append(f"<td>{escape(text)}</td>")
        key = ""
        if row_key and row_key in table.columns:
            key = f' data-key="{escape(str(getattr(row, row_key, "")))}"'
        body.append(f"<tr{key}>{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table{ident}{kind}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _tip(text: str | None) -> str:
    return f' title="{escape(text)}"' if text else ""


def summary_shown(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary without what the configuration name already says (search) and regret's
    references (named in a note); `found_best` kept."""
    if summary.empty:
        return summary
    shown = summary.drop(columns=["search"], errors="ignore")
    hidden = [c for c in shown.columns if c.startswith("space_best_")]
    if "unfinished" in shown and not shown["unfinished"].fillna(0).astype(bool).any():
        hidden.append("unfinished")
    return shown.drop(columns=hidden)


BEST_SHOWN = 10
"""The page's leading table shows at most this many configurations (the best by
`mean_of_highest`); the full summary below holds every one."""
_LEADING = ("runs", "unfinished", "evaluations", "highest", "mean_of_highest")


def best_configurations(summary: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.DataFrame, str]:
    """The leading table: each configuration by its short label, the statistics that answer
    "which is best", best first; and its heading."""
    shown = summary_shown(summary)
    if shown.empty:
        return shown, "Configurations"
    columns = [c for c in _LEADING if c in shown]
    columns += [c for c in shown.columns if c.startswith("best_")]
    columns += [c for c in ("regret", "found_best") if c in shown]
    table = shown[columns].copy()
    table.insert(0, "configuration", [labels.get(c, c) for c in shown["config"]])
    table["config"] = shown["config"].to_numpy()
    order = shown["mean_of_highest"].astype(float).fillna(float("-inf")).to_numpy()
    table = table.iloc[np.argsort(-order, kind="stable")].head(BEST_SHOWN)  # ties: file order
    heading = (f"The best {len(table)} of {len(shown):,} configurations, by mean_of_highest"
               if len(shown) > len(table) else "Configurations, best first by mean_of_highest")
    return table.drop(columns=["config"]), heading


def lead(summary: pd.DataFrame, labels: dict[str, str], fitness: str = "fitness") -> str:
    """One sentence answering the experiment's question: which configuration did best."""
    shown = summary_shown(summary)
    ranked = shown.dropna(subset=["mean_of_highest"]) if "mean_of_highest" in shown else shown
    if ranked.empty:
        return "No evaluation has succeeded yet."
    top = ranked.loc[ranked["mean_of_highest"].astype(float).idxmax()]
    name = labels.get(top["config"], top["config"])
    runs = int(top["runs"])
    text = (f"Best: {name}, mean of each run's best {fitness} "
            f"{number_text(top['mean_of_highest'], 'mean_of_highest')} over {runs:,} "
            f"run{'s' if runs != 1 else ''}")
    highest = ranked.loc[ranked["highest"].astype(float).idxmax()]
    text += (f"; the highest {fitness} found: {number_text(highest['highest'], 'highest')} "
             f"({labels.get(highest['config'], highest['config'])})")
    if "found_best" in ranked and ranked["found_best"].notna().any():
        found = int(round((ranked["found_best"].fillna(0) * ranked["runs"]).sum()))
        text += (f"; {found:,} of {int(ranked['runs'].sum()):,} runs found the declared "
                 "space's best")
    return text + "."


def _legend_html(columns) -> str:
    items = legend(columns)
    if not items:
        return ""
    return ('<dl class="legend">' + "".join(f"<dt>{escape(c.replace('_', ' '))}</dt>"
                                             f"<dd>{escape(m)}</dd>" for c, m in items)
            + "</dl>")


def plot_html(caption: str, figure: dict, uid: str) -> str:
    """One interactive plot: its figure's JSON beside the element `PLOTS_JS` draws it in
    (plotly.js must be on the page)."""
    return (f'<figure class="plot"><div class="plot-area" id="plot-{escape(uid)}"></div>'
            f'<script type="application/json" class="figure">{figure_json(figure)}</script>'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


PLOTS_JS = """
(function(){
  window.nasdslPlots = function (root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('figure.plot'), function (f) {
      var area = f.querySelector('.plot-area'), data = f.querySelector('script.figure');
      if (!area || !data || typeof Plotly === 'undefined') { return; }
      var figure = JSON.parse(data.textContent);
      Plotly.react(area, figure.data, figure.layout, {responsive: true, displaylogo: false});
    });
  };
  document.addEventListener('DOMContentLoaded', function () { window.nasdslPlots(); });
})();
"""
"""Draws every `plot_html` figure of the page (or of an element whose content was replaced)."""


def _png(caption: str, data: bytes) -> str:
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return (f'<figure><img src="{uri}" alt="{escape(caption)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def _architectures(best: dict, labels: dict[str, str]) -> list[str]:
    out = []
    for i, cfg in enumerate(best.get("configs") or []):
        top = cfg.get("best")
        if not top or "descriptor" not in top:
            continue
        name = labels.get(cfg["config"], cfg["config"])
        fitness = top.get("fitness")
        caption = (f"{name}: fitness {number_text(fitness)}, run {top.get('run')}, "
                   f"evaluation {top.get('index')}" if isinstance(fitness, (int, float))
                   else name)
        out.append(f"<figure>{draw(top['descriptor'], name, uid=str(i))}"
                   f"<figcaption>{escape(caption)}</figcaption></figure>")
    return out


def body(page: Page, fitness: str = "fitness", uid: str = "") -> list[str]:
    """The page's content (everything inside `<body>`), for the report and the dashboard."""
    parts = [f'<p class="lead" id="{uid}lead">{escape(lead(page.summary, page.labels, fitness))}</p>']
    for heading, table, note in page.tables:
        parts += [f"<h2>{escape(heading)}</h2>", table_html(table)]
        if note:
            parts.append(f'<p class="note">{escape(note)}</p>')
    best, heading = best_configurations(page.summary, page.labels)
    parts += [f"<h2>{escape(heading)}</h2>",
              table_html(best, f"{uid}best", sortable=True, titles=dict(legend(best.columns)))]
    parts += [f'<p class="note">{escape(n)}</p>' for n in page.notes]
    if page.figures or page.images:
        parts.append("<h2>Plots</h2>")
        parts += [plot_html(caption, figure, f"{uid}{i}")
                  for i, (caption, figure) in enumerate(page.figures)]
        parts += [_png(caption, data) for caption, data in page.images]
    for heading, table, note in page.after:
        parts += [f"<h2>{escape(heading)}</h2>", table_html(table)]
        if note:
            parts.append(f'<p class="note">{escape(note)}</p>')
    drawings = _architectures(page.best, page.labels)
    if drawings:
        parts.append("<h2>Best architectures</h2>")
        parts.append('<p class="note">The best architecture of each configuration over its '
                     "runs, data flowing from top to bottom.</p>")
        parts += drawings
    full = summary_shown(page.summary)
    parts += ["<h2>Full summary</h2>",
              f'<input class="filter" type="search" data-table="{uid}summary" '
              'placeholder="filter rows: words they contain" aria-label="filter the summary">',
              table_html(full, f"{uid}summary", "config", sortable=True,
                         titles=dict(legend(full.columns))),
              _legend_html(full.columns)]
    return parts


def render(page: Page, fitness: str = "fitness") -> str:
    """The page's HTML text: one file with plotly.js inside, nothing fetched."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(page.title)} · nasdsl report</title>",
             f"<style>{STYLE}</style><script>{_CHECK}</script><script>{TABLE_JS}</script>",
             f"<script>{PLOTS_JS}</script>"]
    if page.figures:
        parts.append(f"<script>{plotly_js()}</script>")
    parts += ["</head><body>", f"<h1>{escape(page.title)}</h1>", *body(page, fitness),
              '<p id="page-check" hidden></p></body></html>']
    return "\n".join(parts) + "\n"


def write_html(path: Path, page: Page, fitness: str = "fitness") -> Path:
    path.write_text(render(page, fitness), encoding="utf-8")
    return path


def csv_tables(folder: Path, names: Sequence[tuple[str, str]]) -> list[tuple[str, pd.DataFrame, str]]:
    """(heading, table, "") for each (file name, heading) present in `folder`."""
    out = []
    for name, heading in names:
        if (folder / name).is_file():
            out.append((heading, pd.read_csv(folder / name), ""))
    return out
