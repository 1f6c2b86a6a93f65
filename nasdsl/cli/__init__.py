"""`nasdsl run / check / report / status / dashboard / data / list / init`. Exit codes: 0 ok, 1 run failed, 2 refused input.

One module per command (`run`, `check`, `report`, `status`, `dashboard`, `data`, `list`,
`init`), the
arguments in `parser`; `main` dispatches and maps what a command raises to a sentence on
stderr and its exit code, so no traceback reaches a user. The commands own the flow: the
runner writes no report and the language imports no runner.
"""
from __future__ import annotations

import argparse
import sys

from nasdsl.errors import (DamagedDataError, DataError, DslError, ForeignFile, Incomparable,
                           JournalError, JournalInUse, NasdslError, PlanChanged)


def _out_of_memory(error: BaseException) -> bool:
    """Python's MemoryError or TensorFlow's ResourceExhaustedError (named, so TensorFlow is
    not imported to recognise it)."""
    return any(kind.__name__ in ("MemoryError", "ResourceExhaustedError")
               for kind in type(error).__mro__)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "message", None) or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


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


def main(argv: list[str] | None = None) -> int:
    """Run the command `argv` asks for (default: the process's arguments); its exit status."""
    from nasdsl.cli.parser import parser

    args = parser().parse_args(argv)
    try:
        return _command(args)
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


def _command(args: argparse.Namespace) -> int:
    """The command's own module, imported only when it runs (`nasdsl list` loads no runner)."""
    if args.command == "run":
        from nasdsl.cli.run import run_command

        return run_command(args)
    if args.command == "check":
        from nasdsl.cli.check import check_files

        return check_files(args.files, strict=args.strict, verbose=args.verbose)
    if args.command == "init":
        from nasdsl.cli.init import init_file

        return init_file(args.file)
    if args.command == "list":
        from nasdsl.cli.listing import list_names

        return list_names(args.what)
    if args.command == "data":
        from nasdsl.cli.data import data_command

        return data_command(args)
    if args.command == "dashboard":
        from nasdsl.cli.dashboard import dashboard_command

        return dashboard_command(args)
    if args.command == "report":
        from nasdsl.cli.report import report_command

        return report_command(args)
    from nasdsl.cli.status import status_command

    return status_command(args)
