"""`nasdsl report PATH…`: tables and plots from one journal, or several compared in one
report (with the NAS-Bench-101 study's tables, `nasdsl.study`, where its configurations fill
them)."""
from __future__ import annotations

import argparse

from nasdsl.cli.paths import experiment_plan


def report_command(args: argparse.Namespace) -> int:
    """Write the report; a single experiment file's goes into its own output folder."""
    from nasdsl.report import report_command as write
    from nasdsl.study import report_tables

    paths, folder = [], args.output
    for path in args.dir:
        plan = experiment_plan(path)
        if plan is None:
            paths.append(path)
            continue
        paths.append(plan.journal_path)
        if len(args.dir) == 1 and folder is None:
            folder = plan.output
    return write(paths, folder=folder, everything=args.everything, extras=(report_tables,))
