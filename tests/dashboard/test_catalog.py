"""What the dashboard may read (the journals inside the given folders, named by ids) and
how the evaluations table filters, without a browser."""
from __future__ import annotations

import pandas as pd

from nasdsl.dashboard.catalog import Catalog, journal_id
from nasdsl.dashboard.views import filtered, version


def test_the_catalog_finds_journals_inside_its_folders_and_nothing_else(tmp_path):
    root = tmp_path / "results"
    for name in ("a", "b/deeper"):
        (root / name).mkdir(parents=True)
        (root / name / "journal.sqlite").write_bytes(b"")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "journal.sqlite").write_bytes(b"")
    (root / "link").symlink_to(outside)  # a link out of the folder is not followed
    catalog = Catalog((root,))
    found = {e.journal for e in catalog.entries()}
    assert found == {(root / "a" / "journal.sqlite").resolve(),
                     (root / "b" / "deeper" / "journal.sqlite").resolve()}
    assert catalog.get(journal_id(outside / "journal.sqlite")) is None
    assert catalog.get("../../etc/passwd") is None
    (root / "c").mkdir()
    (root / "c" / "journal.sqlite").write_bytes(b"")  # an experiment started later appears
    assert len(catalog.entries()) == 3


def test_a_journals_version_changes_with_each_write(tmp_path):
    journal = tmp_path / "journal.sqlite"
    journal.write_bytes(b"1")
    before = version(journal)
    journal.write_bytes(b"12")
    assert version(journal) != before


def test_the_table_filters_by_configuration_run_status_and_top_k():
    table = pd.DataFrame({"config": ["a", "a", "a", "b", "b"], "run": [0, 0, 1, 0, 0],
                          "index": [0, 1, 0, 0, 1], "fitness": [0.5, 0.9, 0.7, None, 0.8],
                          "status": ["ok", "ok", "ok", "failed", "ok"]})
    rows, matched = filtered(table, config="a")
    assert matched == 3 and rows["index"].tolist() == [0, 1, 0]
    rows, matched = filtered(table, config="a", run="0")
    assert matched == 2
    rows, matched = filtered(table, status="failed")
    assert rows["config"].tolist() == ["b"]
    rows, _ = filtered(table, top=2)
    assert rows["fitness"].tolist() == [0.9, 0.8]
    rows, matched = filtered(table, limit=2)
    assert len(rows) == 2 and matched == 5
    assert filtered(table, run="x")[1] == 0  # not a run number: nothing matches
