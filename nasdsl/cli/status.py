"""`nasdsl status PATH`: progress of an experiment, read from its journal (safe while it
runs)."""
from __future__ import annotations

import argparse

from nasdsl.cli.paths import experiment_plan


def status_command(args: argparse.Namespace) -> int:
    """Print the progress of the experiment file, output folder or journal `args.dir`."""
    from nasdsl.report.status import status_command as show

    plan = experiment_plan(args.dir)
    return show(args.dir if plan is None else plan.journal_path)
