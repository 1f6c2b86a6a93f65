"""The report's table of every evaluation: `evaluations.parquet` for a large experiment,
`evaluations.csv` for a small one or on request.

A CSV of millions of rows costs more to write than the search that made them (660 MB and
about 40 s for the 1.9 million evaluations of `nb101_evolution.nas`) and as much again to
read; Parquet (pyarrow) holds the same rows typed and compressed, in a file a tenth of the
size that `pandas.read_parquet` reads back in a second. Below `PARQUET_FROM` rows a CSV costs
little and opens anywhere, so small experiments keep it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from nasdsl.output_folder import forget, written_by_nasdsl

EVALUATIONS_CSV = "evaluations.csv"
EVALUATIONS_PARQUET = "evaluations.parquet"
EVALUATIONS_FILES = (EVALUATIONS_CSV, EVALUATIONS_PARQUET)
PARQUET_FROM = 100_000
"""Reports of at least this many evaluations write Parquet (unless asked for CSV)."""


def evaluations_name(rows: int, csv: bool = False) -> str:
    """The file a report of `rows` evaluations writes them into."""
    return EVALUATIONS_CSV if csv or rows < PARQUET_FROM else EVALUATIONS_PARQUET


def write_evaluations(folder: Path, table: pd.DataFrame, csv: bool = False) -> Path:
    """`table` into `folder` as `evaluations_name` says; returns the file's path."""
    path = Path(folder) / evaluations_name(len(table), csv)
    if path.name == EVALUATIONS_CSV:
        table.to_csv(path, index=False)
    else:
        _write_parquet(path, table)
    return path


def _write_parquet(path: Path, table: pd.DataFrame) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = {name: _arrow_column(table[name]) for name in table.columns}
    pq.write_table(pa.table(columns), path, compression="zstd")


def _arrow_column(column: pd.Series) -> Any:
    """The column as an Arrow array; a metric whose rows mix kinds (a number here, a word
    there), which Parquet cannot type, is written as text (JSON for what is not text)."""
    import pyarrow as pa

    try:
        return pa.Array.from_pandas(column)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.array([None if _missing(v) else v if isinstance(v, str)
                         else json.dumps(v, default=str) for v in column], type=pa.string())


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def drop_other(folder: Path, kept: str | None) -> None:
    """Remove the evaluations file nasdsl wrote into `folder` that this report did not
    (`kept`; None: neither), so the folder never holds a table of an older report beside
    the new one."""
    folder = Path(folder)
    stale = [n for n in EVALUATIONS_FILES if n != kept and n in written_by_nasdsl(folder)]
    if stale:
        for name in stale:
            (folder / name).unlink(missing_ok=True)
        forget(folder, stale)
