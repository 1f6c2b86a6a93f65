"""`nasdsl run FILE`: the runs (`nasdsl.experiment`), a line saying what they did, then the
report with its summary table last; after an interruption, the command that writes the report
of what finished."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nasdsl.plan import Plan


def run_command(args: argparse.Namespace) -> int:
    """`nasdsl run`, stopping cleanly on SIGINT / SIGTERM (the journal keeps what finished)."""
    from nasdsl.interrupts import stop_on_signals

    with stop_on_signals():
        return run_file(args.file, fresh=args.fresh, output=args.output, quiet=args.quiet,
                        workers=args.workers, cluster=args.cluster, csv=args.csv)


def run_file(path: str | Path, fresh: bool = False, output: str | Path | None = None,
             quiet: bool = False, workers: int | None = None, cluster: str | None = None,
             csv: bool = False) -> int:
    """`nasdsl run FILE`: load, check, run or resume, report, print the summary table last.
    `quiet` hides the progress only; `workers` or `cluster` replace the file's `run` block
    (where evaluations run is not part of what the journal identifies); `csv` writes the
    report's evaluations as CSV however many they are. Returns the exit
    status; refusals and failures raise (`main` maps them to exit codes)."""
    from dataclasses import replace

    from nasdsl.dsl import load
    from nasdsl.experiment import run_only, write_plan_report
    from nasdsl.interrupts import Interrupted
    from nasdsl.progress import make_progress
    from nasdsl.wording import count

    plan = load(Path(path))
    if output is not None:
        plan = replace(plan, output=Path(output))
    if workers is not None:
        plan = replace(plan, execution=replace(plan.execution, workers=workers, cluster=None))
    if cluster is not None:
        plan = replace(plan, execution=replace(plan.execution, cluster=cluster))
    try:
        summary = run_only(plan, fresh=fresh, progress=make_progress(quiet=quiet))
    except KeyboardInterrupt as e:
        stop = e if isinstance(e, Interrupted) else Interrupted()
        stop.report = _report_of(plan)
        raise stop from None
    retrained = (f"; {count(summary.retrained, 'architecture')} retrained by `final`"
                 if summary.retrained else "")
    print(f"{count(summary.runs, 'run')} done ({count(summary.evaluations, 'evaluation')}, "
          f"{summary.replayed:,} replayed, {count(summary.skipped, 'run')} already finished"
          f"{retrained}); journal {summary.journal}, report in {plan.output}")
    write_plan_report(plan, show=True, csv=csv)  # the comparison table comes last
    return 0


def _report_of(plan: Plan) -> str | None:
    """The command that writes the report of what an interrupted run finished (None before
    its journal exists)."""
    import shlex

    journal = Path(plan.journal_path)
    if not journal.is_file():
        return None
    output = Path(plan.output)
    if journal.name == "journal.sqlite" and journal.parent.resolve() == output.resolve():
        return f"nasdsl report {shlex.quote(str(output))}"
    return f"nasdsl report {shlex.quote(str(journal))} --output {shlex.quote(str(output))}"
