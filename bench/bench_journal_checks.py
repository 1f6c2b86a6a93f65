"""What checking a journal's rows costs: a journal of ROWS evaluations (1.9 million by
default, as a large study writes; `python bench/bench_journal_checks.py ROWS` for another
size), written through the journal's own API in group commits, then read as reports read it.

Figures: computing the rows' checksums as the writer does (vectorised over each batch
of 5000) against the whole write; recomputing every row's checksum as a reader verifies it,
against the whole read (`Journal.evaluations()`: types, checksums, ranges, the report's
frame); and that read against the same read of the same journal with its checksum column
dropped (read "unverified": types and ranges only). Prints one line per figure: name, value,
unit, baseline, ratio.
"""
from __future__ import annotations

import contextlib
import io
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nasdsl.journal import Journal

from nasdsl.journal.values import metrics_json
from nasdsl.journal.rows import checksums, row_checksums
from nasdsl.plan import Budget, EvaluatorSpec, SearchConfig, SpaceSpec

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_900_000
RUNS = 100
BATCH = 5000


def _rows(run: str, start: int, n: int, rng: np.random.Generator) -> list[tuple]:
    fitness = rng.uniform(0.8, 0.95, n)
    return [(run, start + i, (start + i) // 50, f"cell:{rng.integers(1 << 40):x}|0111|33",
             f"{rng.integers(1 << 60):032x}", float(fitness[i]), "ok", None,
             float(i % 7) * 0.5, 1e-4, metrics_json({"test_accuracy": float(fitness[i]),
                                                      "training_time": 1500.0 + i % 100}))
            for i in range(n)]


def _write(path: Path) -> tuple[float, float]:
    """(seconds spent on checksums, seconds writing in all)."""
    config = SearchConfig(label="random", algorithm="random", settings={}, swept={},
                          budget=Budget(ROWS // RUNS, "evaluations"),
                          space=SpaceSpec("cell", {}),
                          evaluator=EvaluatorSpec("nasbench101", {"fitness": "test_accuracy"}))
    rng = np.random.default_rng(0)
    summing = 0.0
    began = time.perf_counter()
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "2", "experiment": "bench"})
        journal.write_configs([config])
        per_run = ROWS // RUNS
        for r in range(RUNS):
            run = f"{config.key}#{r}"
            journal.start_run(run, config.key, r, r)
            for start in range(0, per_run, BATCH):
                rows = _rows(run, start, min(BATCH, per_run - start), rng)
                t = time.perf_counter()
                row_checksums(rows)
                summing += time.perf_counter() - t
                journal.append(rows)
    return summing, time.perf_counter() - began


def _read(path: Path) -> float:
    began = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()), Journal.open(path) as journal:
        frame = journal.evaluations()
    assert len(frame) == ROWS // RUNS * RUNS
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "journal.sqlite"
        summing, writing = _write(path)
        rows = ROWS // RUNS * RUNS
        print(f"checksums computed by the writer, {summing:.2f}, s for {rows:,} rows, "
              f"{writing:.2f} (the whole write), {summing / writing:.1%} of it")
        checked = _read(path)
        with Journal.open(path) as journal:
            columns = journal._verified().columns
        began = time.perf_counter()
        checksums(columns)
        verifying = time.perf_counter() - began
        del columns
        print(f"checksums recomputed to verify them, {verifying:.2f}, s for {rows:,} rows, "
              f"{checked:.2f} (the whole read), {verifying / checked:.1%} of it")
        db = sqlite3.connect(path)
        db.execute("ALTER TABLE evaluations DROP COLUMN checksum")
        db.commit()
        db.close()
        unverified = _read(path)
        print(f"read with checksums verified, {checked:.2f}, s for {rows:,} rows, "
              f"{unverified:.2f} (read unverified), {checked / unverified:.2f}x")


if __name__ == "__main__":
    main()
