"""One number format, the column legend, the regret plot's axes, and no empty plot: what a
reader of the report sees."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from nasdsl.report import write_report
from nasdsl.report.numbers import number_text, rounded
from nasdsl.report.tables import print_summary

from journal_fixtures import write_journal


def test_counts_are_integers_with_separators_and_means_of_counts_one_decimal():
    assert number_text(27706.0, "evaluations") == "27,706"
    assert number_text(6.0, "runs") == "6"
    assert number_text(np.int64(6558), "repeats") == "6,558"
    assert number_text(1896.0, "mean_first_hit_evaluations") == "1,896.0"
    assert number_text(819.9, "mean_first_hit_evaluations") == "819.9"
    assert number_text(0.94061, "highest") == "0.9406"
    assert number_text(94.27083134651184, "highest (nasdsl)", percent=True) == "94.271"
    assert number_text(float("nan"), "highest") == "–"


def test_a_csv_for_people_is_rounded_as_the_page_writes_it():
    table = pd.DataFrame({"highest (nasdsl)": [94.27083134651184], "P": [100.0],
                          "repeated share (grow)": [0.123456789]})
    out = rounded(table, {"highest (nasdsl)"})
    assert out.loc[0, "highest (nasdsl)"] == 94.271
    assert str(out["P"].dtype) == "Int64" and out.loc[0, "P"] == 100
    assert out.loc[0, "repeated share (grow)"] == 0.1235


def test_the_terminal_table_has_a_legend_of_its_columns(tmp_path):
    write_journal(tmp_path / "journal.sqlite")
    write_report(tmp_path)
    out = io.StringIO()
    print_summary(pd.read_csv(tmp_path / "summary.csv"), "handmade", out)
    text = out.getvalue()
    assert "  repeats: evaluations of an architecture its run had already evaluated" in text
    assert "  highest_mean: " in text and "  mean_of_highest: " in text
    table = text.splitlines()[1:4]
    assert not any("6.0000" in line for line in table)  # counts are integers


def test_a_page_without_a_known_space_best_has_no_regret_plot(tmp_path):
    write_journal(tmp_path / "journal.sqlite")  # a python evaluator: no table of its space
    write_report(tmp_path)
    text = (tmp_path / "report.html").read_text()
    assert "Regret against" not in text
    assert text.count('class="plot-area"') == 2  # best so far and generations only


def test_the_regret_plot_has_log_axes_and_a_short_label(two_journals):
    from PIL import Image

    with Image.open(two_journals[0] / "regret.png") as image:
        labels = dict(image.text)
    assert labels["y axis"] == "regret of test_accuracy (log scale)"
    assert labels["x axis"] == "evaluations per run (log scale)"
    text = (two_journals[0] / "report.html").read_text()
    caption = text.index("Regret against")
    start = text.rindex('class="figure">', 0, caption) + len('class="figure">')
    figure = json.loads(text[start:text.index("</script>", start)])
    assert figure["layout"]["yaxis"]["type"] == figure["layout"]["xaxis"]["type"] == "log"


def test_the_page_names_each_configuration_alike_in_every_plot_and_table(two_journals):
    text = (two_journals[1] / "report.html").read_text()
    assert '"name": "flip"' in text and '"name": "random"' in text
    assert "(2 runs)" not in text
