"""An experiment run as `nasdsl run` runs it: the runner's runs into the journal, then the
report read from that journal. The runner writes no report and the report runs nothing; this
module, above both, joins them for the command line and for Python callers."""
from __future__ import annotations

from pathlib import Path

from nasdsl.plan import Plan
from nasdsl.progress import Progress
from nasdsl.report import REPORT_FILES, remove_reports, write_report
from nasdsl.runner import Components, Reports, RunSummary, run_plan

REPORTS = Reports(files=REPORT_FILES, remove=remove_reports)
"""The report's files, claimed by the runner before a run and removed by `fresh`."""


def run_experiment(plan: Plan, *, fresh: bool = False, progress: Progress | None = None,
                   components: Components = Components(), show: bool = False,
                   csv: bool = False) -> RunSummary:
    """Run (or resume) every run of `plan`, then write its report into `plan.output`,
    printing its summary table when `show` (`csv`: see `write_plan_report`)."""
    summary = run_only(plan, fresh=fresh, progress=progress, components=components)
    write_plan_report(plan, show=show, csv=csv)
    return summary


def run_only(plan: Plan, *, fresh: bool = False, progress: Progress | None = None,
             components: Components = Components()) -> RunSummary:
    """The runs of `plan`, with its output folder claimed for the report written after them
    (`write_plan_report`): what `nasdsl run` does before its summary line."""
    return run_plan(plan, fresh=fresh, progress=progress, components=components,
                    reports=REPORTS)


def write_plan_report(plan: Plan, show: bool = False, csv: bool = False) -> Path:
    """The report of `plan`'s journal, in its output folder (`csv`: its evaluations as CSV
    however many they are)."""
    return write_report(plan.output, journal=plan.journal_path, show=show, csv=csv)
