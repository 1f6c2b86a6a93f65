"""The NAS-Bench-101 study's own code, beside the core: its published figures
(`published`), its tables from a combined report's summary and the names it gives nasdsl's
configurations (`tables`).

The core never imports it. The `report` command adds its tables to a combined report
(`report_tables`, passed as one of the report's `extras`), which is how `make study` compares
nasdsl's figures with the study's.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def report_tables(folder: Path, configs: pd.DataFrame, summary: pd.DataFrame) -> list:
    """The study's tables of a combined report written into `folder` as CSV files (those its
    configurations fill); (heading, table, note) of each, for the report's page."""
    from nasdsl.report.policy import NETWORK_COMPARISON_CSV, POLICY_SUMMARY_CSV
    from nasdsl.study.tables import study_tables, write_study_tables

    def table(name: str) -> pd.DataFrame | None:
        return pd.read_csv(folder / name) if (folder / name).is_file() else None

    tables = study_tables(configs, summary, table(POLICY_SUMMARY_CSV),
                          table(NETWORK_COMPARISON_CSV))
    write_study_tables(folder, tables)
    return [(heading, table, note) for _, heading, table, note in tables]


__all__ = ["report_tables"]
