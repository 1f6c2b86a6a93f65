"""The dashboard's web application (Starlette): read-only pages and JSON over the journals
of a `Catalog`.

Routes: `/` (every experiment: state, best so far, evaluations done of those planned, rate,
time left), `/e/{id}` (an experiment: the report's answer, summary and plots, the
evaluations table with filters and CSV export, the best architectures), `/compare?e=…&e=…`
(several experiments in one report), `/plotly.js` (from the installed `plotly` package: the
pages work offline), and the JSON the pages poll to update themselves. Any other path is
404: a URL names an experiment by its id, never by a file path. Every text a user wrote
(experiment names, labels, errors) is escaped; the pages' scripts insert text with
`textContent` only.
"""
from __future__ import annotations

import io
import json
import math
import re
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from nasdsl.dashboard import views
from nasdsl.dashboard.catalog import Catalog, Entry
from nasdsl.errors import ForeignFile, Incomparable, JournalError
from nasdsl.report.html import PLOTS_JS, STYLE, TABLE_JS
from nasdsl.report.numbers import number_text
from nasdsl.wording import duration

POLL_MS = 2000
"""How often an open page asks whether its journals changed."""
LIMIT = 500
"""Rows the evaluations table shows at most (the filters narrow them; top-K picks the best)."""

_DASHBOARD_STYLE = """
header{display:flex;gap:1em;align-items:baseline;flex-wrap:wrap}
header a{color:#225}nav.filters{display:flex;gap:.6em;flex-wrap:wrap;align-items:end;margin:.5em 0}
nav.filters label{font-size:.85em;display:flex;flex-direction:column}
.state-running{color:#0a6b2a;font-weight:600}.state-interrupted{color:#9a5b00}
.state-unreadable{color:#a00}.muted{color:#666;font-size:.85em}
"""

_LIST_JS = """
(function(){
  function cell(row, text, numeric) {
    var td = document.createElement('td'); td.textContent = text;
    if (numeric) { td.className = 'n'; } row.appendChild(td); return td;
  }
  function render(items) {
    var body = document.querySelector('#experiments tbody');
    var checked = {};
    body.querySelectorAll('input:checked').forEach(function (i) { checked[i.value] = true; });
    var rows = document.createDocumentFragment();
    items.forEach(function (e) {
      var tr = document.createElement('tr'); tr.setAttribute('data-id', e.id);
      var pick = document.createElement('td'), box = document.createElement('input');
      box.type = 'checkbox'; box.name = 'e'; box.value = e.id; box.checked = !!checked[e.id];
      box.setAttribute('aria-label', 'compare ' + e.name);
      pick.appendChild(box); tr.appendChild(pick);
      var name = document.createElement('td'), a = document.createElement('a');
      a.href = 'e/' + e.id; a.textContent = e.name; a.className = 'name';
      name.appendChild(a); tr.appendChild(name);
      cell(tr, e.state).className = 'state state-' + e.state;
      cell(tr, e.done, true).className = 'n done';
      cell(tr, e.best, true); cell(tr, e.rate, true); cell(tr, e.eta, true);
      cell(tr, e.runs, true); cell(tr, e.problem);
      rows.appendChild(tr);
    });
    body.replaceChildren(rows);
  }
  function poll() {
    fetch('api/experiments').then(function (r) { return r.json(); })
      .then(render).catch(function () {});
  }
  document.addEventListener('DOMContentLoaded', function () {
    render(JSON.parse(document.getElementById('initial').textContent));
    setInterval(poll, POLL);
  });
})();
"""

_EXPERIMENT_JS = """
(function(){
  var id, version;
  function query() {
    var p = new URLSearchParams();
    ['config', 'run', 'status', 'top'].forEach(function (k) {
      var v = document.getElementById('f-' + k).value.trim(); if (v) { p.set(k, v); }
    });
    return p.toString();
  }
  function table(data) {
    var t = document.getElementById('evaluations');
    var head = document.createElement('tr');
    data.columns.forEach(function (c) {
      var th = document.createElement('th'); th.textContent = c.replace(/_/g, ' '); head.appendChild(th);
    });
    t.tHead.replaceChildren(head);
    var rows = document.createDocumentFragment();
    data.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      r.forEach(function (v, i) {
        var td = document.createElement('td'); td.textContent = v;
        if (data.numeric[i]) { td.className = 'n'; } tr.appendChild(td);
      });
      rows.appendChild(tr);
    });
    t.tBodies[0].replaceChildren(rows);
    document.getElementById('shown').textContent = data.shown_text;
    document.getElementById('export').href = '../e/' + id + '/evaluations.csv?' + query();
  }
  var asked = 0;
  function load() {
    var mine = ++asked;  // only the answer to the latest question is shown
    fetch('../api/e/' + id + '/evaluations?' + query())
      .then(function (r) { return r.json(); })
      .then(function (d) { if (mine === asked) { table(d); } }).catch(function () {});
  }
  function poll() {
    fetch('../api/e/' + id + '/version').then(function (r) { return r.json(); }).then(function (v) {
      if (v.version === version) { return; }
      return fetch('../api/e/' + id).then(function (r) { return r.json(); }).then(function (d) {
        version = d.version;
        document.getElementById('status').textContent = d.status;
        var report = document.getElementById('report');
        report.innerHTML = d.html;
        window.nasdslPlots(report); window.nasdslTables(report);
        load();
      });
    }).catch(function () {});
  }
  document.addEventListener('DOMContentLoaded', function () {
    id = document.body.getAttribute('data-id');
    version = document.body.getAttribute('data-version');
    ['config', 'run', 'status', 'top'].forEach(function (k) {
      document.getElementById('f-' + k).addEventListener('change', load);
    });
    load();
    setInterval(poll, POLL);
  });
})();
"""


_WAIT_JS = """
(function(){
  function poll() {
    var id = document.body.getAttribute('data-id');
    fetch('../api/e/' + id + '/ready').then(function (r) { return r.json(); }).then(function (d) {
      if (d.ready) { location.reload(); }
    }).catch(function () {});
  }
  document.addEventListener('DOMContentLoaded', function () { setInterval(poll, 1000); });
})();
"""


def _head(title: str, scripts: str = "") -> str:
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<link rel="icon" href="data:,">'
            f"<title>{escape(title)} · nasdsl dashboard</title>"
            f"<style>{STYLE}{_DASHBOARD_STYLE}</style>{scripts}</head>")


def _plot_scripts(prefix: str) -> str:
    return (f'<script src="{prefix}plotly.js"></script><script>{TABLE_JS}</script>'
            f"<script>{PLOTS_JS}</script>")


def _json_text(value: object) -> str:
    """JSON safe inside a `<script>` element."""
    return (json.dumps(value, allow_nan=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _finite(value: object) -> object:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _duration(seconds: float | None) -> str:
    return "–" if seconds is None else duration(seconds)


def _line(o: views.Overview) -> dict:
    """A list line as the page shows it (texts, numbers formatted once, here)."""
    done = f"{o.evaluations:,}" + (f" of {o.planned:,}" if o.planned else "")
    rate = "–" if not o.rate else (f"{o.rate:,.1f}/s" if o.rate >= 1 else f"{1 / o.rate:,.1f} s each")
    return {"id": o.id, "name": o.name, "state": o.state, "done": done,
            "evaluations": o.evaluations, "best": number_text(o.best, "best"), "rate": rate,
            "eta": _duration(o.eta) if o.state == "running" else "–",
            "runs": f"{o.finished:,} of {o.runs:,}", "problem": o.problem}


class Dashboard:
    """The application's state: the catalogue and what was read of each journal."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._overviews: views.Cache[views.Overview] = views.Cache()
        self._experiments: views.Cache[views.Experiment] = views.Cache()

    # --- reading ------------------------------------------------------------------------------
    def overviews(self, wait: bool = False) -> list[views.Overview]:
        """Every journal's line; without `wait`, a journal not read at its current version
        is read in the background and shown as it was last read (or as being read)."""
        out = []
        for e in self.catalog.entries():
            current = views.version(e.journal)

            def compute(e: Entry = e) -> views.Overview:
                return views.overview(e.id, e.journal, e.journal.parent.name)

            if wait:
                out.append(self._overviews.get(e.id, current, compute))
                continue
            line = self._overviews.ready(e.id, current)
            if line is None:
                self._overviews.start(e.id, current, compute)
                line = (self._overviews.latest(e.id)
                        or views.Overview.reading(e.id, e.journal.parent.name))
            out.append(line)
        return out

    def warm(self) -> None:
        """Read every journal's line of the list (in the background as the server starts:
        the first visitor then waits for what is left, not for all of it)."""
        try:
            self.overviews(wait=True)
        except Exception:  # noqa: BLE001 - a request reads it again and reports the problem
            pass

    def experiment(self, entry: Entry) -> tuple[views.Experiment, tuple]:
        """The experiment as last read, and the version read: the current one (read now if
        never read), or, while a newer version is read in the background, the one before
        (a large journal takes long to read: the page shows what it has meanwhile)."""
        current = views.version(entry.journal)

        def compute() -> views.Experiment:
            return views.experiment(entry.journal)

        exp = self._experiments.ready(entry.id, current)
        if exp is not None:
            return exp, current
        latest, shown = self._experiments.latest(entry.id), self._experiments.latest_version(entry.id)
        if latest is None or shown is None:
            return self._experiments.get(entry.id, current, compute), current
        self._experiments.start(entry.id, current, compute)
        return latest, shown

    def _entry(self, request: Request) -> Entry | None:
        return self.catalog.get(request.path_params["id"])

    # --- pages --------------------------------------------------------------------------------
    def index(self, request: Request) -> Response:
        lines = [_line(o) for o in self.overviews()]
        folders = ", ".join(str(f) for f in self.catalog.folders + self.catalog.journals)
        head = "".join(f"<th>{h}</th>" for h in ("compare", "experiment", "state",
                                                 "evaluations", "best so far", "rate",
                                                 "time left", "runs finished", "problem"))
        html = (_head("Experiments", f"<script>{_LIST_JS.replace('POLL', str(POLL_MS))}</script>")
                + "<body><header><h1>Experiments</h1>"
                f'<span class="muted">in {escape(folders)}; updated every '
                f"{POLL_MS // 1000} s</span></header>"
                '<form action="compare" method="get">'
                '<div class="scroll"><table id="experiments"><thead><tr>'
                f"{head}</tr></thead><tbody></tbody></table></div>"
                '<button type="submit">Compare the selected experiments</button></form>'
                f'<script type="application/json" id="initial">{_json_text(lines)}</script>'
                "</body></html>")
        return HTMLResponse(html)

    def experiments_json(self, request: Request) -> Response:
        return JSONResponse([_line(o) for o in self.overviews()])

    def _status_text(self, entry: Entry) -> str:
        o = next((o for o in self.overviews() if o.id == entry.id), None)
        if o is None:
            return ""
        line = _line(o)
        return (f"{o.state}: {line['done']} evaluations, runs finished {line['runs']}, "
                f"best so far {line['best']}, rate {line['rate']}, time left {line['eta']}")

    def _report(self, entry: Entry) -> tuple[views.Experiment, str, tuple]:
        """The experiment, its report's HTML and the version they show."""
        exp, shown = self.experiment(entry)
        return exp, exp.html, shown

    def experiment_page(self, request: Request) -> Response:
        entry = self._entry(request)
        if entry is None:
            return _not_found()
        current = views.version(entry.journal)
        if self._experiments.ready(entry.id, current) is None and \
                self._experiments.latest(entry.id) is None:  # the first time: read it behind
            self._experiments.start(entry.id, current, lambda: views.experiment(entry.journal))
            return HTMLResponse(_head("reading", f"<script>{_WAIT_JS}</script>")
                                + f'<body data-id="{escape(entry.id)}"><p id="reading">Reading '
                                f"the journal {escape(str(entry.journal.parent.name))} (a large "
                                "one takes a while); this page shows it when it is read.</p>"
                                "</body></html>")
        try:
            exp, report, shown = self._report(entry)
        except (JournalError, ForeignFile) as e:
            return _problem(f"cannot read this experiment: {e}", 500)
        options = "".join(f'<option value="{escape(c)}">{escape(exp.labels.get(c, c))}'
                          "</option>" for c in exp.configs)
        statuses = "".join(f'<option value="{escape(s)}">{escape(s)}</option>'
                           for s in sorted(map(str, exp.table["status"].unique())))
        version = json.dumps(list(shown))
        html = (_head(exp.name, _plot_scripts("../")
                      + f"<script>{_EXPERIMENT_JS.replace('POLL', str(POLL_MS))}</script>")
                + f'<body data-id="{escape(entry.id)}" data-version="{escape(version)}">'
                f'<header><a href="../">All experiments</a><h1>{escape(exp.name)}</h1></header>'
                f'<p id="status" class="muted">{escape(self._status_text(entry))}</p>'
                f'<div id="report">{report}</div>'
                "<h2>Evaluations</h2><nav class=\"filters\">"
                f'<label>configuration<select id="f-config"><option value="">all</option>'
                f"{options}</select></label>"
                '<label>run<input id="f-run" type="number" min="0" step="1"></label>'
                f'<label>status<select id="f-status"><option value="">all</option>{statuses}'
                "</select></label>"
                '<label>top K by fitness<input id="f-top" type="number" min="1" step="1"></label>'
                '<a id="export" href="#" download>export what is shown as CSV</a></nav>'
                '<p id="shown" class="muted"></p>'
                '<div class="scroll"><table id="evaluations"><thead></thead><tbody></tbody>'
                "</table></div></body></html>")
        return HTMLResponse(html)

    def experiment_json(self, request: Request) -> Response:
        entry = self._entry(request)
        if entry is None:
            return _not_found()
        _, report, shown = self._report(entry)
        return JSONResponse({"version": json.dumps(list(shown)),
                             "status": self._status_text(entry), "html": report})

    def ready_json(self, request: Request) -> Response:
        entry = self._entry(request)
        if entry is None:
            return _not_found()
        return JSONResponse({"ready": self._experiments.latest(entry.id) is not None})

    def version_json(self, request: Request) -> Response:
        entry = self._entry(request)
        if entry is None:
            return _not_found()
        return JSONResponse({"version": json.dumps(list(views.version(entry.journal)))})

    def _rows(self, request: Request):
        entry = self._entry(request)
        if entry is None:
            return None, None, 0
        exp, _ = self.experiment(entry)
        q = request.query_params
        top = q.get("top", "")
        limit = q.get("limit", "")
        rows, matched = views.filtered(
            exp.table, q.get("config", ""), q.get("run", ""), q.get("status", ""),
            int(top) if top.isdigit() and int(top) > 0 else None,
            min(int(limit), LIMIT) if limit.isdigit() else LIMIT)
        return exp, rows, matched

    def evaluations_json(self, request: Request) -> Response:
        exp, rows, matched = self._rows(request)
        if exp is None:
            return _not_found()
        columns = [str(c) for c in rows.columns]
        numeric = [rows[c].dtype.kind in "if" for c in rows.columns]
        data = [[_cell(v, c) for v, c in zip(r, columns)] for r in rows.itertuples(index=False)]
        shown = (f"showing {len(rows):,} of {matched:,} matching evaluations"
                 f" ({len(exp.table):,} in all)")
        return JSONResponse({"columns": columns, "numeric": numeric, "rows": data,
                             "shown": len(rows), "matched": matched, "shown_text": shown})

    def evaluations_csv(self, request: Request) -> Response:
        exp, rows, _ = self._rows(request)
        if exp is None:
            return _not_found()
        out = io.StringIO()
        rows.to_csv(out, index=False)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", exp.name or "experiment")[:80]
        return Response(out.getvalue(), media_type="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}-evaluations.csv"'})

    def compare(self, request: Request) -> Response:
        from nasdsl.report.combine import combine
        from nasdsl.report.source import read_journal

        ids = request.query_params.getlist("e")
        entries = [self.catalog.get(i) for i in ids]
        if not entries or any(e is None for e in entries):
            return _problem("choose experiments to compare on the list of experiments", 404)
        if len(entries) == 1:
            return Response(status_code=303, headers={"Location": f"e/{entries[0].id}"})
        try:
            source = combine([(e.journal, read_journal(e.journal)) for e in entries])
        except Incomparable as e:
            return _problem(str(e), 400)
        exp = views.from_source(source)
        html = (_head(exp.name, _plot_scripts(""))
                + '<body><header><a href="./">All experiments</a>'
                f"<h1>{escape(exp.name)}</h1></header>{exp.html}</body></html>")
        return HTMLResponse(html)

    def plotly(self, request: Request) -> Response:
        from nasdsl.report.figures import plotly_js

        return Response(_plotly(plotly_js), media_type="text/javascript",
                        headers={"Cache-Control": "max-age=86400"})


_PLOTLY: list[str] = []


def _plotly(read) -> str:
    if not _PLOTLY:
        _PLOTLY.append(read())
    return _PLOTLY[0]


def _cell(value: object, column: str) -> object:
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, float):
        return number_text(value, column)
    return value if isinstance(value, (int, str)) else str(value)


def _not_found() -> Response:
    return _problem("not found: the dashboard serves only the experiments it lists", 404)


def _problem(text: str, status: int) -> Response:
    return HTMLResponse(_head("problem") + f"<body><p>{escape(text)}</p>"
                        '<p><a href="/">All experiments</a></p></body></html>', status_code=status)


def application(catalog: Catalog) -> Starlette:
    """The ASGI application over `catalog`."""
    import threading

    d = Dashboard(catalog)
    threading.Thread(target=d.warm, name="dashboard-warm", daemon=True).start()
    routes = [Route("/", d.index), Route("/api/experiments", d.experiments_json),
              Route("/e/{id:str}", d.experiment_page), Route("/api/e/{id:str}", d.experiment_json),
              Route("/api/e/{id:str}/version", d.version_json),
              Route("/api/e/{id:str}/ready", d.ready_json),
              Route("/api/e/{id:str}/evaluations", d.evaluations_json),
              Route("/e/{id:str}/evaluations.csv", d.evaluations_csv),
              Route("/compare", d.compare), Route("/plotly.js", d.plotly)]
    return Starlette(routes=routes)


__all__ = ["Dashboard", "application"]
