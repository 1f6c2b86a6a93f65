"""`report.html` opened in a real headless Chromium: it loads without console errors, shows
the summary with one row per configuration, and every image loads."""
from __future__ import annotations

import pandas as pd

from nasdsl.cli import main

from browser import open_page, parse

BROKEN = """<!DOCTYPE html><html><head><script>
window.addEventListener('load', function () {
  var i = document.images[0];
  document.getElementById('page-check').setAttribute('data-loaded',
      String(i.complete && i.naturalWidth > 0 ? 1 : 0));
});</script></head><body><img src="data:image/png;base64,bm90IGEgcG5n" alt="bad">
<p id="page-check"></p><script>undefinedFunction();</script></body></html>"""


def _check(page) -> tuple:
    loaded = open_page(page)
    dom = parse(loaded.dom)
    return loaded, dom, dom.by_id["page-check"]


def test_the_browser_check_sees_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text(BROKEN)
    loaded, dom, check = _check(page)
    assert check["data-loaded"] == "0"  # the image did not load
    assert any("undefinedFunction" in line for line in loaded.console)


def test_combined_report_html_loads_whole_in_chromium(two_journals, tmp_path):
    out = tmp_path / "both"
    assert main(["report", *map(str, two_journals), "--output", str(out)]) == 0
    page = out / "report.html"
    from nasdsl.report.figures import plotly_js

    text = page.read_text()
    assert plotly_js() in text  # inside the page, fetched from nowhere
    ours = text.replace(plotly_js(), "")
    assert "http://" not in ours.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in ours
    loaded, dom, check = _check(page)
    assert loaded.console == []
    summary = pd.read_csv(out / "summary.csv")
    assert dom.rows["summary"] == len(summary) == 4
    assert dom.rows["best"] == 4  # the leading table: every configuration, best first
    assert check["data-plots"] == check["data-drawn"] == "3"  # best so far, regret, generations
    assert check["data-failures"] == ""
    assert dom.images == []  # interactive plots, no pictures of them
    assert text.count("<figure><svg") == 4  # one best architecture per configuration


def test_the_page_leads_with_the_answer_and_keeps_the_full_summary_below(two_journals, tmp_path):
    out = tmp_path / "both"
    assert main(["report", *map(str, two_journals), "--output", str(out)]) == 0
    text = (out / "report.html").read_text()
    summary = pd.read_csv(out / "summary.csv")
    top = summary.loc[summary["mean_of_highest"].idxmax()]
    assert text.index('class="lead"') < text.index('id="best"') < text.index("<h2>Plots")
    assert text.index("<h2>Plots") < text.index('id="summary"')
    lead = text[text.index('class="lead"'):text.index("</p>", text.index('class="lead"'))]
    assert f"{top['mean_of_highest']:.4f}" in lead and "Best: flip," in lead
    best = text[text.index('id="best"'):text.index("</table>", text.index('id="best"'))]
    assert "found best" in best and "small_random/" not in best  # short labels
    assert "small_random/flip" in text[text.index('id="summary"'):]  # the full name, below


def test_report_html_in_a_browser_sorts_filters_and_needs_no_scrollbar_at_1400_px(
        two_journals, tmp_path):
    from browser_session import browser, no_horizontal_scroll, offline_page

    out = tmp_path / "both"
    assert main(["report", *map(str, two_journals), "--output", str(out)]) == 0
    with browser() as b:
        page, console = offline_page(b, offline=True)
        page.goto((out / "report.html").as_uri())
        page.wait_for_selector("#plot-0 .main-svg")
        assert no_horizontal_scroll(page) == []
        rows = page.locator("#summary tbody tr")
        assert rows.count() == 4
        page.fill("input.filter", "flip")
        assert page.locator("#summary tbody tr:not([hidden])").count() == 1
        page.fill("input.filter", "")
        header = page.locator("#summary th", has_text="mean of highest")
        header.click()
        header.click()  # descending
        first = page.locator("#summary tbody tr").first.get_attribute("data-key")
        summary = pd.read_csv(out / "summary.csv")
        assert first == summary.loc[summary["mean_of_highest"].idxmax(), "config"]
        assert page.locator("#plot-1 .xy .yaxislayer-above").count() == 1
        assert console.messages == []


def test_a_single_report_writes_its_page_beside_the_csv_files(two_journals):
    evolution, _ = two_journals
    text = (evolution / "report.html").read_text()
    assert text.count('<tr data-key="') == 2
    assert text.count("<figure><svg") == 2 and text.count('class="figure"') == 3


def test_an_architecture_is_drawn_with_a_box_per_layer_and_an_arrow_per_connection():
    import xml.etree.ElementTree as ET

    from nasdsl.report.graph_svg import draw, levels

    d = {"layers": {"0": ["input", {}], "1": ["conv3x3-bn-relu", {}], "2": ["maxpool3x3", {}],
                    "3": ["output", {}]},
         "connections": {"0": ["1", "3"], "1": ["2"], "2": ["3"]}}
    assert levels(list(d["layers"]), d["connections"]) == {"0": 0, "1": 1, "2": 2, "3": 3}
    svg = ET.fromstring(draw(d, "a <cell>", uid="7"))  # well-formed, title escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}rect")) == 4
    arrows = [p for p in svg.findall(f"{ns}path") if p.get("marker-end")]
    assert len(arrows) == 4 and all(p.get("marker-end") == "url(#arrow-7)" for p in arrows)
    assert [t.text for t in svg.findall(f"{ns}text")] == ["input", "conv3x3", "maxpool3x3",
                                                         "output"]
    assert svg.find(f"{ns}title").text == "a <cell>"


def _grid_journal(path, experiment: str):
    """A 64-configuration grid of 4 swept keys (long configuration names), one short run each."""
    from nasdsl.journal import Journal
    from nasdsl.journal.values import metrics_json
    from nasdsl.plan import Budget, Call, EvaluatorSpec, SearchConfig, SpaceSpec

    configs = []
    for i, (p, s, n, c) in enumerate((p, s, n, c) for p in (16, 32, 64, 100) for s in (2, 8)
                                     for n in (0.01, 0.05) for c in (0.01, 0.05, 0.1, 0.15)):
        swept = {"population": p, "sample": s, "mutation.add_node": n,
                 "mutation.add_connection": c}
        configs.append(SearchConfig(
            label="regularized_evolution", algorithm="regularized_evolution",
            settings={"population": p, "sample": s,
                      "mutation": Call("grow", {"add_node": n, "add_connection": c})},
            swept=swept, budget=Budget(8, "evaluations"), space=SpaceSpec("cell", {}),
            evaluator=EvaluatorSpec("nasbench101", {"fitness": "test_accuracy",
                                                    "report": ["test_accuracy"]}), index=i))
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "3", "experiment": experiment, "repeat": 1})
        journal.write_configs(configs)
        for k, config in enumerate(configs):
            run = f"{config.key}#0"
            journal.start_run(run, config.key, 0, 0)
            rows = [(run, i, i // 4, f"cell-{k}-{i}", f"h{k}-{i}", 0.9 + 0.0001 * (k + i), "ok",
                     None, 1.0, 0.001, metrics_json({"test_accuracy": 0.9 + 0.0001 * (k + i)}))
                    for i in range(8)]
            journal.append(rows, finished=(run, 8))
    return path


def test_a_large_grids_combined_page_needs_no_scrollbar_at_1400_px(tmp_path):
    from browser_session import browser, no_horizontal_scroll, offline_page

    journals = []
    for name in ("grid_a", "grid_b"):
        (tmp_path / name).mkdir()
        journals.append(_grid_journal(tmp_path / name / "journal.sqlite", name))
    out = tmp_path / "both"
    assert main(["report", *map(str, journals), "--output", str(out)]) == 0
    with browser() as b:
        page, console = offline_page(b, offline=True)
        page.goto((out / "report.html").as_uri())
        page.wait_for_selector("#plot-0 .main-svg")
        assert page.locator("#summary tbody tr").count() == 128
        assert page.locator("#best tbody tr").count() == 10  # the best 10 lead the page
        assert no_horizontal_scroll(page) == []
        assert console.messages == []
