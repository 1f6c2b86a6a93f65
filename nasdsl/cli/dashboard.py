"""`nasdsl dashboard [PATH…] [--host H] [--port P]`: the live web view of the experiments in
folders (default `results/`) or of experiment files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasdsl.cli.paths import experiment_plan


def dashboard_command(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 when a path names nothing, the extra is missing, or the
    address cannot be bound."""
    try:
        from nasdsl.dashboard.catalog import Catalog
        from nasdsl.dashboard.server import bind, serve
    except ImportError as e:
        print(f"error: the dashboard needs the `dashboard` extra ({e.name} is missing): "
              "pip install 'nasdsl[dashboard]'", file=sys.stderr)
        return 2
    folders, journals = [], []
    for path in args.paths or [Path("results")]:
        plan = experiment_plan(path)
        if plan is not None:
            journals.append(Path(plan.journal_path))
        elif path.is_dir():
            folders.append(path)
        elif path.is_file() and path.name.endswith(".sqlite"):
            journals.append(path)
        else:
            print(f"error: {path} is no folder, experiment file or journal"
                  + (" (run an experiment first: its results go to results/)"
                     if not args.paths else ""), file=sys.stderr)
            return 2
    try:
        sock = bind(args.host, args.port)
    except OSError as e:
        print(f"error: cannot listen on {args.host}:{args.port}: {e.strerror or e}",
              file=sys.stderr)
        return 2
    try:
        serve(Catalog(tuple(folders), tuple(journals)), sock)
    finally:
        sock.close()
    return 0
