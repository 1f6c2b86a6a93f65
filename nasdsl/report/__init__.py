"""Reports, read from the journal only: tables, plots and the best architectures.

`write_report(folder)` writes the evaluations (`evaluations.parquet` for a large experiment,
`evaluations.csv` for a small one or with `csv`: `nasdsl.report.evaluations_file`),
`summary.csv`, `best_so_far.png`, `generations.png`, `regret.png`, `best.json`, `report.html`
(all of them in one page), (after `final { … }`) `final.csv`, and with `objectives`
`front.csv`, `front.png` and `hypervolume.png` (`nasdsl.report.fronts`) into `folder` from
`folder/journal.sqlite` (or the journal given); `write_combined_report(journals, folder)` does
the same for several journals compared in one report (all but the evaluations, which each
experiment's own report holds), with the tables its caller adds (`extras`: the NAS-Bench-101
study's, from `nasdsl.study`). `report_command(paths)` is `nasdsl report PATH… [--output DIR]
[--csv]`.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from nasdsl.errors import JournalError
from nasdsl.evaluation.fidelity import CURVE
from nasdsl.report.fidelity import (FIDELITIES_CSV, FILES as FIDELITY_FILES, LEARNING_CURVES_PNG,
                                    write_fidelity_files)
from nasdsl.report.analysis import analyse
from nasdsl.report.best import BEST_JSON, write_best
from nasdsl.report.finals import FINAL_CSV, write_final
from nasdsl.report.fronts import FRONT_CSV, FRONT_PNG, HYPERVOLUME_PNG, write_fronts
from nasdsl.report.policy import write_policy
from nasdsl.output_folder import check_output, foreign_files, forget, staged_report
from nasdsl.report.evaluations_file import (EVALUATIONS_CSV, EVALUATIONS_PARQUET, drop_other,
                                            evaluations_name)
from nasdsl.report.plots import (BEST_SO_FAR_PNG, GENERATIONS_PNG, plot_best_so_far,
                                 plot_generations)
from nasdsl.report.regret import REGRET_PNG, plot_regret
from nasdsl.report.source import ReportSource, find_journal, read_journal
from nasdsl.report.html import REPORT_HTML
from nasdsl.report.tables import (SUMMARY_CSV, integral, print_summary, summary_notes,
                                  write_tables)

Extra = Callable[[Path, Any, Any], list]
"""More tables of a combined report: `(folder, configs, summary)` writes its files into
`folder` and returns (heading, table, note) of each for the page."""


def write_report(output_dir: Path, journal: Path | None = None, show: bool = False,
                 everything: bool = False, csv: bool = False) -> Path:
    """Write every report file into `output_dir` and return that folder.

    `journal` defaults to `output_dir/journal.sqlite`. `show` prints the summary table. The
    report covers the configurations and repeats of the plan the journal last ran;
    `everything` includes every run the journal holds. `csv` writes the evaluations as CSV
    however many they are.
    """
    output_dir = Path(output_dir)
    journal = journal or output_dir / "journal.sqlite"
    check_output(output_dir, REPORT_FILES, journal)  # before the work, and again before a move
    source = read_journal(journal, everything=everything)
    with staged_report(output_dir, journal) as staging:  # all files complete, or none moved
        _write(staging, source, show, csv=csv)
    drop_other(output_dir, evaluations_name(len(source.evaluations), csv))
    if show and source.hidden_runs:
        print(f"note: the journal also holds {source.hidden_runs} run"
              f"{'s' if source.hidden_runs != 1 else ''} of configurations or repeats the file "
              f"no longer asks for; `nasdsl report {output_dir} --all` includes them",
              file=sys.stderr)
    return output_dir


def write_combined_report(journals: list[Path], output_dir: Path, show: bool = False,
                          extras: Sequence[Extra] = ()) -> Path:
    """One report comparing the configurations of several journals (`combine`), with the
    tables of `extras`; refused (Incomparable) when their fitness metrics differ, before
    anything is written."""
    from nasdsl.report.combine import combine

    output_dir = Path(output_dir)
    check_output(output_dir, REPORT_FILES)
    source = combine([(Path(j), read_journal(Path(j))) for j in journals])
    with staged_report(output_dir) as staging:
        _write(staging, source, show, extras, per_evaluation=False)
    drop_other(output_dir, None)  # an older combined report's rows
    return output_dir


REPORT_FILES = (EVALUATIONS_CSV, EVALUATIONS_PARQUET, SUMMARY_CSV, BEST_SO_FAR_PNG, GENERATIONS_PNG, REGRET_PNG,
                BEST_JSON, FINAL_CSV, REPORT_HTML, *FIDELITY_FILES, FRONT_CSV, FRONT_PNG,
                HYPERVOLUME_PNG)
"""Every file a report writes (checked before a run starts: none may be somebody else's)."""


def _write(folder: Path, source: ReportSource, show: bool, extras: Sequence[Extra] = (),
           per_evaluation: bool = True, csv: bool = False) -> None:
    """Every report file into `folder`, and the tables of `extras` (written after the
    others, so they may read them). A combined report leaves out the evaluations
    (`per_evaluation`): each experiment's own report holds its rows, and a study's would
    copy millions of them. `csv`: the evaluations as CSV whatever their number."""
    found = analyse(source)
    evaluations, summary, fitness, labels = (found.evaluations, found.summary, found.fitness,
                                              found.labels)
    title = source.experiment
    plot_title = title + (f"\n({found.caption})" if found.caption else "")
    summary, front_images = write_fronts(folder, source, summary, found.plotted, plot_title,
                                         labels)
    rows = evaluations.drop(columns=[CURVE]) if CURVE in evaluations.columns else evaluations
    write_tables(folder, integral(rows, [c for c in found.extra if c != CURVE])
                 if per_evaluation else None, summary, csv)
    write_fidelity_files(folder, evaluations, source.experiment)
    finals = source.finals
    write_final(folder, integral(finals, [c for c in ("parameters", "flops") if c in finals]))
    plot_best_so_far(evaluations, found.plotted, folder / BEST_SO_FAR_PNG, plot_title, fitness,
                     labels)
    plot_generations(found.b, found.plotted, folder / GENERATIONS_PNG, plot_title, fitness,
                     found.sizes, labels)
    plot_regret(evaluations, found.references, folder / REGRET_PNG, plot_title, fitness, labels)
    write_best(folder / BEST_JSON, found.best)
    if show:
        print_summary(summary, title)
    write_policy(folder, source, show)
    added = [entry for more in extras for entry in more(folder, source.configs, summary)]
    _write_page(folder, title, summary, found.best, labels, found.figures(), added, fitness,
                front_images)


def _write_page(folder: Path, title: str, summary, best: dict, labels: dict[str, str],
                figures: list, extra: list | None = None, fitness: str = "fitness",
                front_images: list | None = None) -> None:
    """report.html, from what the other report files hold (written first, into `folder`)."""
    from nasdsl.report.html import REPORT_HTML, Page, csv_tables, write_html
    from nasdsl.report.policy import NETWORK_COMPARISON_CSV, POLICY_SUMMARY_CSV

    after = csv_tables(folder, [(POLICY_SUMMARY_CSV, "Learning controllers: what they end on"),
                                (NETWORK_COMPARISON_CSV, "One network against two"),
                                (FIDELITIES_CSV, "Evaluations at each fidelity (epochs)")])
    images = list(front_images or [])  # the fronts of several objectives
    if (folder / LEARNING_CURVES_PNG).is_file():
        images.append(("Learning curves: validation accuracy against epochs, by rung",
                       (folder / LEARNING_CURVES_PNG).read_bytes()))
    write_html(folder / REPORT_HTML, Page(title=title or "nasdsl report", summary=summary,
                                          notes=summary_notes(summary), figures=figures,
                                          images=images, tables=list(extra or []), after=after,
                                          best=best, labels=labels), fitness)


def remove_reports(folder: Path) -> None:
    """Delete the report files nasdsl wrote into `folder` (when its journal is discarded: they
    described it). Files nasdsl did not write are left alone."""
    folder = Path(folder)
    ours = set(REPORT_FILES) - set(foreign_files(folder, REPORT_FILES))
    try:
        for name in ours:
            (folder / name).unlink(missing_ok=True)
        forget(folder, ours)
    except OSError as e:
        raise JournalError(f"cannot remove the old report in {folder}: "
                           f"{e.strerror or e}") from e


def _input_folder(folder: Path, paths: list[Path], journals: list[Path]) -> Path | None:
    """The input (as given) whose folder `folder` is, resolved (links, `..`); None if none."""
    target = Path(folder).resolve()
    for given, journal in zip(paths, journals):
        if target in {given.resolve(), journal.resolve().parent, journal.parent.resolve()}:
            return given
    return None


def report_command(path: Path | list[Path], folder: Path | None = None,
                   everything: bool = False, extras: Sequence[Extra] = (),
                   csv: bool = False) -> int:
    """`nasdsl report PATH… [--output DIR] [--all] [--csv]`: each PATH is an output folder or
    a journal file; the report goes to `folder` (default: the journal's folder; required for
    several journals, which are compared in one report, with the tables of `extras`). 2
    when a journal is missing, or the journals cannot be compared."""
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    journals = []
    for p in paths:
        journal = find_journal(p)
        if journal is None:
            print(f"error: no journal at {p} (expected a journal file, or a folder holding "
                  "journal.sqlite: run `nasdsl run FILE` first)", file=sys.stderr)
            return 2
        journals.append(journal)
    if len(journals) > 1:
        if folder is None:
            print("error: several journals make one combined report: say where it goes "
                  "with --output DIR", file=sys.stderr)
            return 2
        if everything:
            print("error: --all reports one journal; a combined report covers each "
                  "journal's latest plan", file=sys.stderr)
            return 2
        taken = _input_folder(folder, paths, journals)
        if taken is not None:
            print(f"error: --output {folder} is the folder of the input {taken}, whose own "
                  "report it would replace: a combined report goes to a folder of its own",
                  file=sys.stderr)
            return 2
        write_combined_report(journals, folder, show=True, extras=extras)
        print(f"report written to {Path(folder) / REPORT_HTML}")
        return 0
    journal = journals[0]
    folder = write_report(folder or journal.parent, journal=journal, show=True,
                          everything=everything, csv=csv)
    print(f"report written to {folder / REPORT_HTML}")
    return 0


__all__ = ["REPORT_FILES", "report_command", "write_combined_report", "write_report"]
