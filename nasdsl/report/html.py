"""`report.html`: the whole report as one self-contained page.

Tables as HTML tables, the plots embedded as `data:` URIs, each configuration's best
architecture drawn as an inline SVG graph: the file opens from disk, mailed or copied
anywhere, with no server and no network. The page records in `#page-check` how many of its
images loaded and any error it met (`data-images`, `data-loaded`, `data-failures`), so a
program that opens it in a browser can tell a broken page from a whole one.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

import pandas as pd

from nasdsl.report.graph_svg import draw

REPORT_HTML = "report.html"
FRONT_COLUMNS = ("hypervolume", "hypervolume_std", "igd", "igd_std", "share_found")
"""Summary columns of multi-objective configurations (`nasdsl.report.fronts`), shown too."""


@dataclass
class Page:
    """What one report page shows, in order."""

    title: str
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)
    """(caption, PNG bytes)."""
    tables: list[tuple[str, pd.DataFrame, str]] = field(default_factory=list)
    """(heading, table, note under it)."""
    best: dict = field(default_factory=dict)
    """The best.json document."""
    labels: dict[str, str] = field(default_factory=dict)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1em;
color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ccc;padding:.25em .5em}th{background:#f3f3f3;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}.note{color:#555;font-size:.9em}
figure{display:inline-block;margin:.5em;vertical-align:top;text-align:center}
figcaption{font-size:.8em;max-width:32em}img{max-width:100%}
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
    var check = document.getElementById('page-check');
    check.setAttribute('data-images', String(images.length));
    check.setAttribute('data-loaded', String(loaded));
    check.setAttribute('data-failures', failures.join('; '));
  });
})();
"""


def cell_text(value: object) -> tuple[str, bool]:
    """A table cell's text, and whether it is a number (right-aligned)."""
    if value is None or value is pd.NA:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, float):
        if value != value:
            return "–", True
        if value.is_integer() and abs(value) >= 1000:
            return f"{value:,.0f}", True
        return (f"{value:.4f}" if abs(value) < 1000 else f"{value:,.0f}"), True
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value), True
    return str(value), False


def table_html(table: pd.DataFrame, table_id: str = "", row_key: str = "") -> str:
    """An HTML table: a header row, one body row per row of `table`."""
    ident = f' id="{escape(table_id)}"' if table_id else ""
    head = "".join(f"<th>{escape(str(c).replace('_', ' '))}</th>" for c in table.columns)
    body = []
    for row in table.itertuples(index=False):
        cells = []
        for value in row:
            text, numeric = cell_text(value.item() if hasattr(value, "item") else value)
            cells.append(f'<td class="n">{escape(text)}</td>' if numeric
                         else f"<td>{escape(text)}</td>")
        key = ""
        if row_key and row_key in table.columns:
            key = f' data-key="{escape(str(getattr(row, row_key, "")))}"'
        body.append(f"<tr{key}>{''.join(cells)}</tr>")
    return (f'<div class="scroll"><table{ident}><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def summary_shown(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary without what the configuration name already says (search, swept keys)
    and regret's references (named in a note)."""
    if summary.empty:
        return summary
    last = list(summary.columns).index("regret") + 1 if "regret" in summary else None
    shown = summary.iloc[:, :last].drop(columns=["search"], errors="ignore")
    fronts = [c for c in FRONT_COLUMNS if c in summary and c not in shown]
    shown = pd.concat([shown, summary[fronts]], axis=1) if fronts else shown
    hidden = [c for c in shown.columns if c.startswith("space_best_")]
    if "unfinished" in shown and not shown["unfinished"].fillna(0).astype(bool).any():
        hidden.append("unfinished")
    return shown.drop(columns=hidden)


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
        caption = (f"{cfg['config']}: fitness {fitness:.4f}, run {top.get('run')}, "
                   f"evaluation {top.get('index')}" if isinstance(fitness, (int, float))
                   else cfg["config"])
        out.append(f"<figure>{draw(top['descriptor'], name, uid=str(i))}"
                   f"<figcaption>{escape(caption)}</figcaption></figure>")
    return out


def render(page: Page) -> str:
    """The page's HTML text."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{escape(page.title)} · nasdsl report</title>",
             f"<style>{_STYLE}</style><script>{_CHECK}</script></head><body>",
             f"<h1>{escape(page.title)}</h1>",
             "<h2>Summary</h2>", table_html(summary_shown(page.summary), "summary", "config")]
    parts += [f'<p class="note">{escape(n)}</p>' for n in page.notes]
    if page.images:
        parts.append("<h2>Plots</h2>")
        parts += [_png(caption, data) for caption, data in page.images]
    for heading, table, note in page.tables:
        parts += [f"<h2>{escape(heading)}</h2>", table_html(table)]
        if note:
            parts.append(f'<p class="note">{escape(note)}</p>')
    drawings = _architectures(page.best, page.labels)
    if drawings:
        parts.append("<h2>Best architectures</h2>")
        parts.append('<p class="note">The best architecture of each configuration over its '
                     "runs, data flowing from top to bottom.</p>")
        parts += drawings
    parts.append('<p id="page-check" hidden></p></body></html>')
    return "\n".join(parts) + "\n"


def write_html(path: Path, page: Page) -> Path:
    path.write_text(render(page), encoding="utf-8")
    return path


def csv_tables(folder: Path, names: Sequence[tuple[str, str]]) -> list[tuple[str, pd.DataFrame, str]]:
    """(heading, table, "") for each (file name, heading) present in `folder`."""
    out = []
    for name, heading in names:
        if (folder / name).is_file():
            out.append((heading, pd.read_csv(folder / name), ""))
    return out
