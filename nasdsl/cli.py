"""`nasdsl run / check / report / status / data / list / init`. Exit codes: 0 ok, 1 run failed, 2 refused input."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasdsl.errors import (DamagedDataError, DataError, DslError, ForeignFile, Incomparable,
                           JournalError, JournalInUse, NasdslError, PlanChanged)


def _parser() -> argparse.ArgumentParser:
    from nasdsl import __version__

    p = argparse.ArgumentParser(prog="nasdsl", description="Declared, reproducible NAS experiments.")
    p.add_argument("--version", action="version", version=f"nasdsl {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run an experiment (resumes from its journal)")
    run.add_argument("file", type=Path)
    run.add_argument("--fresh", action="store_true", help="discard the journal and start over")
    run.add_argument("--output", type=Path, help="override the file's output folder")
    run.add_argument("--quiet", action="store_true",
                     help="no progress display (the summary table is still printed)")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers, metavar="N",
                       help="evaluations at once on this machine (overrides `run { workers }` "
                            "and `cluster`; the journal stays the same)")
    where.add_argument("--cluster", type=_address, metavar="ADDRESS",
                       help="a Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (overrides "
                            "`run { cluster }`; the journal stays the same)")

    check = sub.add_parser("check", help="validate files and print their plans")
    check.add_argument("files", type=Path, nargs="+")
    check.add_argument("--strict", action="store_true", help="data problems are errors too")
    check.add_argument("-v", "--verbose", action="store_true", default=None,
                       help="print every plan in full (the default for a single file)")

    init = sub.add_parser("init", help="write a commented experiment file to start from "
                                       "(never over an existing file)")
    init.add_argument("file", type=Path, metavar="NAME.nas")

    report = sub.add_parser("report", help="write tables and plots from a journal, or compare "
                            "several journals in one report")
    report.add_argument("dir", type=Path, metavar="PATH", nargs="+",
                        help="an experiment file, its output folder, or its journal; several "
                        "make one combined report (needs --output)")
    report.add_argument("--output", type=Path, metavar="DIR",
                        help="where the report goes (default: the journal's folder)")
    report.add_argument("--all", dest="everything", action="store_true",
                        help="every run the journal holds, not only those of its latest plan")

    status = sub.add_parser("status", help="progress of an experiment, read from its journal "
                                           "(safe while it runs)")
    status.add_argument("dir", type=Path, metavar="PATH",
                        help="an experiment file, its output folder, or its journal")

    data = sub.add_parser("data", help="manage benchmark data")
    data_sub = data.add_subparsers(dest="dataset", required=True)
    nb = data_sub.add_parser("nasbench101", help="the NAS-Bench-101 table")
    act = nb.add_mutually_exclusive_group(required=True)
    act.add_argument("--import", dest="import_path", type=Path, metavar="PATH",
                     help="import a .tfrecord (official) or a table .npz")
    act.add_argument("--download", choices=["only108", "full"], nargs="?", const="only108",
                     help="fetch the official file (default: only108)")
    act.add_argument("--info", action="store_true", help="describe the store")
    act.add_argument("--verify", action="store_true",
                     help="check every file's checksum and the table's content (exit 1 if damaged)")
    nb.add_argument("--data", type=Path, help="data folder (default $NASDSL_DATA or ~/.cache/nasdsl)")
    nb.add_argument("--if-missing", action="store_true",
                    help="do nothing when a sound store of this version exists")
    for name, what in (("fashion_mnist", "Fashion-MNIST (the four .gz files)"),
                       ("mnist", "MNIST (the four .gz files, or Keras's mnist.npz)"),
                       ("cifar10", "CIFAR-10 (the archive, or its batches)")):
        images = data_sub.add_parser(name, help=f"import {what} for `evaluate keras`")
        images.add_argument("--import", dest="import_path", type=Path, metavar="PATH",
                            required=True, help="a folder holding the official files, or one "
                            "file; each is verified (by its decompressed content where "
                            "recorded) before it is copied")
        images.add_argument("--data", type=Path,
                            help="data folder (default $NASDSL_DATA or ~/.cache/nasdsl)")
        images.add_argument("--if-missing", action="store_true",
                            help="do nothing when a sound copy is already imported")

    lst = sub.add_parser("list", help="list algorithms, ops, evaluators or metrics")
    lst.add_argument("what", choices=["algorithms", "ops", "evaluators", "metrics"])
    return p


def _workers(text: str) -> int:
    from nasdsl.settings.bounds import MAX_WORKERS

    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_WORKERS}, "
                                         f"not {text!r}")
    return n


def _address(text: str) -> str:
    from nasdsl.cluster import address_problem

    if not text.strip():
        raise argparse.ArgumentTypeError("expected a scheduler address such as "
                                         "tcp://10.0.0.5:8786")
    problem = address_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r} is no scheduler address: {problem}")
    return text.strip()


def run_file(path: str | Path, fresh: bool = False, output: str | Path | None = None,
             quiet: bool = False, workers: int | None = None, cluster: str | None = None) -> int:
    """`nasdsl run FILE`: load, check, run or resume, report, print the summary table last.
    `quiet` hides the progress only; `workers` or `cluster` replace the file's `run` block
    (where evaluations run is not part of what the journal identifies). Returns the exit
    status; refusals and failures raise (`main` maps them to exit codes)."""
    from dataclasses import replace

    from nasdsl.dsl import load
    from nasdsl.interrupts import Interrupted
    from nasdsl.progress import make_progress
    from nasdsl.runner import run_plan
    from nasdsl.runner.plan_run import write_plan_report
    from nasdsl.wording import count

    plan = load(Path(path))
    if output is not None:
        plan = replace(plan, output=Path(output))
    if workers is not None:
        plan = replace(plan, execution=replace(plan.execution, workers=workers, cluster=None))
    if cluster is not None:
        plan = replace(plan, execution=replace(plan.execution, cluster=cluster))
    try:
        summary = run_plan(plan, fresh=fresh, progress=make_progress(quiet=quiet), report=False)
    except KeyboardInterrupt as e:
        stop = e if isinstance(e, Interrupted) else Interrupted()
        stop.report = _report_of(plan)
        raise stop from None
    retrained = (f"; {count(summary.retrained, 'architecture')} retrained by `final`"
                 if summary.retrained else "")
    print(f"{count(summary.runs, 'run')} done ({count(summary.evaluations, 'evaluation')}, "
          f"{summary.replayed:,} replayed, {count(summary.skipped, 'run')} already finished"
          f"{retrained}); journal {summary.journal}, report in {plan.output}")
    write_plan_report(plan, show=True)  # the comparison table comes last
    return 0


def _report_of(plan) -> str | None:
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


def _out_of_memory(error: BaseException) -> bool:
    """Python's MemoryError or TensorFlow's ResourceExhaustedError (named, so TensorFlow is
    not imported to recognise it)."""
    return any(kind.__name__ in ("MemoryError", "ResourceExhaustedError")
               for kind in type(error).__mro__)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "message", None) or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            from nasdsl.dsl.show import check_files

            return check_files(args.files, strict=args.strict, verbose=args.verbose)
        if args.command == "init":
            from nasdsl.dsl.template import init_file

            return init_file(args.file)
        if args.command == "list":
            from nasdsl.dsl.show import list_names

            return list_names(args.what)
        if args.command == "data":
            from nasdsl.interrupts import stop_on_signals

            with stop_on_signals():  # a download or import stops cleanly, as a run does
                if args.dataset != "nasbench101":
                    from nasdsl.training.dataset_import import dataset_command

                    return dataset_command(args)
                from nasdsl.store.command import data_command

                return data_command(args)
        if args.command == "run":
            from nasdsl.interrupts import stop_on_signals

            with stop_on_signals():
                return run_file(args.file, fresh=args.fresh, output=args.output,
                                quiet=args.quiet, workers=args.workers, cluster=args.cluster)
        if args.command == "report":
            from nasdsl.report import report_command

            paths, folder = [], args.output
            for path in args.dir:
                if path.suffix == ".nas" and path.is_file():  # the experiment file
                    from nasdsl.dsl import load

                    plan = load(path)
                    paths.append(plan.journal_path)
                    if len(args.dir) == 1 and folder is None:
                        folder = plan.output
                else:
                    paths.append(path)
            return report_command(paths, folder=folder, everything=args.everything)
        if args.command == "status":
            from nasdsl.report.status import status_command

            if args.dir.suffix == ".nas" and args.dir.is_file():  # the experiment file
                from nasdsl.dsl import load

                return status_command(load(args.dir).journal_path)
            return status_command(args.dir)
    except DslError as e:
        print(e, file=sys.stderr)
        return 2
    except DamagedDataError as e:  # the data broke, not the input: a failure
        print(f"error: {e}", file=sys.stderr)
        return 1
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (JournalInUse, ForeignFile, PlanChanged, Incomparable) as e:  # refused, untouched
        print(f"error: {e}", file=sys.stderr)
        return 2
    except JournalError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except NasdslError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        from nasdsl.interrupts import Interrupted

        stop = e if isinstance(e, Interrupted) else Interrupted()
        again = ("rerun without --fresh to resume (with it, the journal is discarded again)"
                 if getattr(args, "fresh", False) else "rerun the same command to resume")
        report = f"; `{stop.report}` writes the report of what finished" if stop.report else ""
        print(f"interrupted ({stop.name}); {again}{report}", file=sys.stderr)
        return stop.exit_status
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # noqa: BLE001 - the last resort: one sentence, never a traceback
        if _out_of_memory(e):
            print(f"error: out of memory ({_first_line(e)}): the settings ask for more than "
                  "this machine has; lower the ones that size memory (population, replay, "
                  "units, stem, batch_size, workers)", file=sys.stderr)
        elif isinstance(e, OSError):  # a folder that cannot be made or written, a full disk
            where = f" ({e.filename})" if e.filename else ""
            print(f"error: {e.strerror or _first_line(e)}{where}; nothing more was done",
                  file=sys.stderr)
        else:
            print(f"error: {type(e).__name__}: {_first_line(e)} (raised at {_raised_at(e)})"
                  f"{_kept_traceback()}", file=sys.stderr)
        return 1
    return 0


def _raised_at(error: BaseException) -> str:
    """`file:line` of the code that raised: the user's own module (a search or evaluator the
    file names) or nasdsl's."""
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "an unknown place"


def _kept_traceback() -> str:
    """Where the traceback of an unexpected failure was kept for a bug report (shown whole
    with NASDSL_TRACEBACK=1), said for the error line."""
    import os
    import tempfile
    import traceback

    text = traceback.format_exc()
    if os.environ.get("NASDSL_TRACEBACK"):
        print(text, file=sys.stderr)
        return ""
    try:
        handle, path = tempfile.mkstemp(prefix="nasdsl-failure-", suffix=".txt")
        with os.fdopen(handle, "w") as out:
            out.write(text)
    except OSError:
        return "; set NASDSL_TRACEBACK=1 to see where"
    return f"; the details, for a bug report, are in {path}"


if __name__ == "__main__":
    sys.exit(main())
