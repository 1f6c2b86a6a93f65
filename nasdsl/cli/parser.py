"""The command line's grammar: every command, its arguments and their checks (argparse).
Values argparse refuses exit 2 with its usage line, before any command runs."""
from __future__ import annotations

import argparse
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """`nasdsl` and its commands (`run`, `check`, `init`, `report`, `status`, `dashboard`, `data`, `list`)."""
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
    run.add_argument("--csv", action="store_true",
                     help="the report's evaluations as evaluations.csv, however many (default: "
                          "evaluations.parquet from 100,000 evaluations)")
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
    report.add_argument("--csv", action="store_true",
                        help="the evaluations as evaluations.csv, however many (default: "
                             "evaluations.parquet from 100,000 evaluations)")

    status = sub.add_parser("status", help="progress of an experiment, read from its journal "
                                           "(safe while it runs)")
    status.add_argument("dir", type=Path, metavar="PATH",
                        help="an experiment file, its output folder, or its journal")

    dash = sub.add_parser("dashboard", help="a live, read-only web view of experiments "
                          "(their journals), in a browser")
    dash.add_argument("paths", type=Path, metavar="PATH", nargs="*",
                      help="folders holding experiments' output folders, experiment files, "
                           "or journals (default: results/)")
    dash.add_argument("--host", default="127.0.0.1",
                      help="the address to listen on (default 127.0.0.1: this machine only)")
    dash.add_argument("--port", type=_port, default=8050,
                      help="the port (default 8050; 0: any free one)")

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


def _port(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if not 0 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, not {text!r}")
    return n


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
