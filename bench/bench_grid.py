"""`nasdsl run experiments/nb101_evolution.nas` end to end, against an older nasdsl in the
same run: start, every lookup, the journal, the report and the verification of the journal's
rows that reading it includes, as a user runs it (a fresh `nasdsl` process, `--fresh`); and
the combined report of two such grids' journals, as `make study` compares its experiments.

The baseline is the nasdsl of `--baseline` (a commit, default the one before evaluations
went to Parquet), checked out into a temporary `git worktree` and run with the same Python
and the same store. Both run the same file into their own folders, one after the other;
then each writes the report again from its finished journal (`nasdsl report`), and the
combined report of both journals (`nasdsl report A B --output C`). One line per
figure: name, value, unit, the baseline's value and the ratio; wall and CPU seconds (user +
system of the command and its worker processes) and the load average before each run, since
a shared machine's wall times are upper bounds.

    python bench/bench_grid.py [--repeat N] [--baseline COMMIT] [--data DIR]

`--repeat 1` runs a tenth of the grid (125 runs, 187,500 evaluations); the default 10 is the
whole grid (1,250 runs, 1,875,000 evaluations; minutes). Needs the NAS-Bench-101 store
(`make data`; `--data` or $NASDSL_DATA say where it is) and git.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENT = ROOT / "experiments" / "nb101_evolution.nas"
BASELINE = "b18b5ea"
"""The last commit before the evaluations went to Parquet and the journal was read in columns."""


class Timed(NamedTuple):
    wall: float
    cpu: float
    load: float


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> Timed:
    """Run `command`; its wall seconds, its CPU seconds (children included), the 1-minute
    load average before it started."""
    load = os.getloadavg()[0]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    error = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{error}")
    return Timed(wall, usage.ru_utime + usage.ru_stime, load)


def _experiment(folder: Path, repeat: int) -> Path:
    text = re.sub(r"^repeat\s*=\s*\d+", f"repeat = {repeat}", EXPERIMENT.read_text(),
                  flags=re.M)
    text = re.sub(r'^output\s*=.*$', 'output = "out"', text, flags=re.M)
    path = folder / "grid.nas"
    path.write_text(text)
    return path


def _measure(source: Path, folder: Path, experiment: Path) -> dict[str, float]:
    """The figures of one nasdsl (its source tree `source`) running `experiment` in
    `folder`."""
    env = dict(os.environ, PYTHONPATH=str(source))  # before the installed (editable) nasdsl
    command = [sys.executable, "-m", "nasdsl.cli"]
    run = _timed(command + ["run", "--quiet", "--fresh", str(experiment)], folder, env)
    out = folder / "out"
    report = _timed(command + ["report", str(out)], folder, env)
    table = [p for p in (out / "evaluations.parquet", out / "evaluations.csv") if p.is_file()]
    return {"out": out, "run_wall": run.wall, "run_cpu": run.cpu, "run_load": run.load,
            "report_wall": report.wall, "report_cpu": report.cpu, "report_load": report.load,
            "journal_mb": (out / "journal.sqlite").stat().st_size / 1e6,
            "evaluations_mb": table[0].stat().st_size / 1e6 if table else float("nan"),
            "evaluations_file": table[0].name if table else "-"}


def _line(name: str, unit: str, ours: float, base: float, note: str = "") -> None:
    print(f"{name} {ours:,.1f} {unit} | baseline {base:,.1f} {unit} ratio {ours / base:.2f}"
          + (f" | {note}" if note else ""), flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=10, help="repeats of the grid (default 10)")
    p.add_argument("--baseline", default=BASELINE, help=f"commit to compare (default {BASELINE})")
    p.add_argument("--data", help="NAS-Bench-101 data folder (default $NASDSL_DATA)")
    args = p.parse_args(argv)
    if args.data:
        os.environ["NASDSL_DATA"] = args.data
    with tempfile.TemporaryDirectory(prefix="bench-grid-") as tmp:
        tmp = Path(tmp)
        baseline = tmp / "baseline-source"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet",
                        str(baseline), args.baseline], check=True)
        try:
            figures = {}
            for name, source in (("baseline", baseline), ("ours", ROOT)):
                folder = tmp / name
                folder.mkdir()
                figures[name] = _measure(source, folder, _experiment(folder, args.repeat))
            journals = [str(figures[n]["out"] / "journal.sqlite") for n in figures]
            for name, source in (("baseline", baseline), ("ours", ROOT)):
                both = _timed([sys.executable, "-m", "nasdsl.cli", "report", *journals,
                               "--output", str(tmp / f"combined-{name}")], tmp,
                              dict(os.environ, PYTHONPATH=str(source)))
                figures[name].update(combined_wall=both.wall, combined_cpu=both.cpu,
                                     combined_load=both.load)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(baseline)], check=False)
    ours, base = figures["ours"], figures["baseline"]
    runs = 125 * args.repeat
    print(f"grid: experiments/nb101_evolution.nas with repeat = {args.repeat} ({runs:,} runs, "
          f"{runs * 1500:,} evaluations); baseline {args.baseline}", flush=True)
    _line("run_end_to_end_wall", "s", ours["run_wall"], base["run_wall"],
          f"load {ours['run_load']:.1f} / baseline's {base['run_load']:.1f}")
    _line("run_end_to_end_cpu", "s", ours["run_cpu"], base["run_cpu"])
    _line("report_wall", "s", ours["report_wall"], base["report_wall"],
          f"load {ours['report_load']:.1f} / baseline's {base['report_load']:.1f}")
    _line("report_cpu", "s", ours["report_cpu"], base["report_cpu"])
    _line("combined_report_of_both_journals_wall", "s", ours["combined_wall"],
          base["combined_wall"], f"{2 * runs * 1500:,} evaluations; load "
          f"{ours['combined_load']:.1f} / baseline's {base['combined_load']:.1f}")
    _line("combined_report_cpu", "s", ours["combined_cpu"], base["combined_cpu"])
    _line("journal_size", "MB", ours["journal_mb"], base["journal_mb"])
    _line("evaluations_file_size", "MB", ours["evaluations_mb"], base["evaluations_mb"],
          f"{ours['evaluations_file']} / baseline's {base['evaluations_file']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
