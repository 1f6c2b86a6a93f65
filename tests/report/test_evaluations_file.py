"""The report's evaluations: Parquet for a large journal, CSV for a small one or on request;
either way the journal's rows, and only one of the two files in the folder."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nasdsl.cli import main
from nasdsl.journal import Journal
from nasdsl.journal.values import metrics_json
from nasdsl.output_folder import MANIFEST
from nasdsl.report import REPORT_FILES, write_report
from nasdsl.report.evaluations_file import PARQUET_FROM

from journal_fixtures import config, write_journal

RUNS = 20


@pytest.fixture(scope="module")
def large_journal(tmp_path_factory) -> Path:
    """A journal of PARQUET_FROM evaluations (20 runs of regularized evolution), with a
    metric that is a number in some rows and a word in others."""
    path = tmp_path_factory.mktemp("large") / "journal.sqlite"
    per_run = PARQUET_FROM // RUNS
    evolution = config("regularized_evolution", "regularized_evolution",
                       {"population": 100, "sample": 25}, swept={"population": 100})
    rng = np.random.default_rng(0)
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "3", "experiment": "large", "seed": 0,
                            "repeat": RUNS, "source": "", "created": 0})
        journal.write_configs([evolution])
        for repeat in range(RUNS):
            run = f"{evolution.key}#{repeat}"
            journal.start_run(run, evolution.key, repeat, repeat)
            fitness = rng.uniform(0.8, 0.95, per_run)
            rows = [(run, i, i // 100, f"cell:{rng.integers(1 << 40):x}|0111|33",
                     f"{rng.integers(1 << 60):032x}", float(fitness[i]), "ok", None,
                     0.5 * (i % 7), 1e-4,
                     metrics_json({"test_accuracy": float(fitness[i]),
                                   "note": "slow" if i % 1000 == 0 else i % 3}))
                    for i in range(per_run)]
            journal.append(rows, finished=(run, per_run))
    return path


def _journal_rows(path: Path) -> pd.DataFrame:
    with Journal.open(path) as journal:
        return journal.evaluations()


def test_a_large_journal_gives_parquet_that_pandas_reads_back_as_the_journals_rows(
        large_journal, tmp_path):
    out = write_report(tmp_path, journal=large_journal)
    assert not (out / "evaluations.csv").exists()
    table = pd.read_parquet(out / "evaluations.parquet")
    rows = _journal_rows(large_journal)
    assert len(table) == len(rows) == PARQUET_FROM
    assert list(table.columns) == list(rows.columns)
    for name in ("search", "config", "architecture", "hash", "status"):
        assert table[name].tolist() == rows[name].tolist(), name
    for name in ("run", "seed", "index", "generation", "population"):
        assert table[name].astype("int64").tolist() == rows[name].astype("int64").tolist()
    for name in ("fitness", "cost_seconds", "wall_seconds", "test_accuracy"):  # bit for bit
        assert np.array_equal(table[name].to_numpy(float), rows[name].to_numpy(float)), name
    assert table["error"].isna().all()
    # A metric that is a word in some rows and a number in others is kept as text.
    assert table["note"].tolist() == [v if isinstance(v, str) else json.dumps(v)
                                      for v in rows["note"]]
    assert "evaluations.parquet" in json.loads((out / MANIFEST).read_text())


def test_csv_on_request_and_the_other_file_goes(large_journal, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", str(large_journal), "--output", str(out), "--csv"]) == 0
    table = pd.read_csv(out / "evaluations.csv")
    assert len(table) == PARQUET_FROM and not (out / "evaluations.parquet").exists()
    assert table["fitness"].tolist() == _journal_rows(large_journal)["fitness"].tolist()
    assert main(["report", str(large_journal), "--output", str(out)]) == 0
    assert (out / "evaluations.parquet").is_file() and not (out / "evaluations.csv").exists()
    listed = json.loads((out / MANIFEST).read_text())
    assert "evaluations.parquet" in listed and "evaluations.csv" not in listed
    capsys.readouterr()


def test_a_small_journal_gives_csv(tmp_path):
    write_journal(tmp_path / "journal.sqlite")
    write_report(tmp_path)
    assert len(pd.read_csv(tmp_path / "evaluations.csv")) == 15
    assert not (tmp_path / "evaluations.parquet").exists()


def test_a_users_parquet_file_is_never_replaced(tmp_path, capsys):
    """Both names are the report's: a file of the user's under either refuses the report."""
    assert {"evaluations.csv", "evaluations.parquet"} <= set(REPORT_FILES)
    write_journal(tmp_path / "journal.sqlite")
    write_report(tmp_path)
    (tmp_path / "evaluations.parquet").write_bytes(b"mine")
    assert main(["report", str(tmp_path)]) == 2
    assert "evaluations.parquet was not written by nasdsl" in capsys.readouterr().err
    assert (tmp_path / "evaluations.parquet").read_bytes() == b"mine"
