"""Reports, read from the journal only: tables, plots and the best architectures.

`write_report(folder)` writes `evaluations.csv`, `summary.csv`, `best_so_far.png`,
`generations.png`, `regret.png`, `best.json`, `report.html` (all of them in one page) and
(after `final { … }`) `final.csv` into `folder` from `folder/journal.sqlite` (or the journal
given); `write_combined_report(journals, folder)` does the same for several journals compared
in one report (all but `evaluations.csv`, which each experiment's own report holds), with the
tables its caller adds (`extras`: the NAS-Bench-101 study's, from `nasdsl.study`).
`report_command(paths)` is `nasdsl report PATH… [--output DIR]`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from nasdsl.errors import JournalError
from nasdsl.evaluation.fidelity import CURVE
from nasdsl.report.fidelity import (FIDELITIES_CSV, FILES as FIDELITY_FILES, LEARNING_CURVES_PNG,
                                    write_fidelity_files)
from nasdsl.report.labels import short_labels
from nasdsl.report.best import BEST_JSON, best_architectures, write_best
from nasdsl.report.finals import FINAL_CSV, final_entries, with_final_columns, write_final
from nasdsl.report.policy import write_policy
from nasdsl.output_folder import (check_output, foreign_files, forget, staged_report,
                                  written_by_nasdsl)
from nasdsl.report.plots import (BEST_SO_FAR_PNG, GENERATIONS_PNG, fitness_name,
                                 generation_sizes, plot_best_so_far, plot_generations,
                                 plotted_configs)
from nasdsl.report.regret import REGRET_PNG, plot_regret
from nasdsl.report.source import ReportSource, find_journal, read_journal
from nasdsl.report.summary import generation_best, run_best, summarize
from nasdsl.report.html import REPORT_HTML
from nasdsl.report.tables import (EVALUATIONS_CSV, SUMMARY_CSV, integral, print_summary,
                                  summary_notes, write_tables)

Extra = Callable[[Path, Any, Any], list]
"""More tables of a combined report: `(folder, configs, summary)` writes its files into
`folder` and returns (heading, table, note) of each for the page."""


def write_report(output_dir: Path, journal: Path | None = None, show: bool = False,
                 everything: bool = False) -> Path:
    """Write every report file into `output_dir` and return that folder.

    `journal` defaults to `output_dir/journal.sqlite`. `show` prints the summary table. The
    report covers the configurations and repeats of the plan the journal last ran;
    `everything` includes every run the journal holds.
    """
    output_dir = Path(output_dir)
    journal = journal or output_dir / "journal.sqlite"
    check_output(output_dir, REPORT_FILES, journal)  # before the work, and again before a move
    source = read_journal(journal, everything=everything)
    with staged_report(output_dir, journal) as staging:  # all files complete, or none moved
        _write(staging, source, show)
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
    if EVALUATIONS_CSV in written_by_nasdsl(output_dir):  # an older combined report's rows
        (output_dir / EVALUATIONS_CSV).unlink(missing_ok=True)
        forget(output_dir, [EVALUATIONS_CSV])
    return output_dir


REPORT_FILES = (EVALUATIONS_CSV, SUMMARY_CSV, BEST_SO_FAR_PNG, GENERATIONS_PNG, REGRET_PNG,
                BEST_JSON, FINAL_CSV, REPORT_HTML, *FIDELITY_FILES)
"""Every file a report writes (checked before a run starts: none may be somebody else's)."""


def _write(folder: Path, source: ReportSource, show: bool, extras: Sequence[Extra] = (),
           per_evaluation: bool = True) -> None:
    """Every report file into `folder`, and the tables of `extras` (written after the
    others, so they may read them). A combined report leaves out
    `evaluations.csv` (`per_evaluation`): each experiment's own report holds its rows, and
    a study's would copy millions of them (1.4 GB for the study's five experiments)."""
    evaluations, configs = source.evaluations, source.configs
    swept = [k for s in configs["swept"] for k in dict(s or {})]
    columns = list(evaluations.columns)  # metrics follow wall_seconds, then swept keys
    extra = columns[columns.index("wall_seconds") + 1:]
    metrics = [c for c in extra if c not in swept]
    summary = summarize(configs, evaluations, optimum=_optimum(source), runs=source.runs)
    summary = with_final_columns(summary, source.finals)
    summary = integral(summary, [c for c in summary.columns if c in swept])
    rows = evaluations.drop(columns=[CURVE]) if CURVE in evaluations.columns else evaluations
    write_tables(folder, integral(rows, [c for c in extra if c != CURVE])
                 if per_evaluation else None, summary)
    write_fidelity_files(folder, evaluations, source.experiment)
    finals = source.finals
    write_final(folder, integral(finals, [c for c in ("parameters", "flops") if c in finals]))
    order = list(configs.sort_values("position")["config"])
    plotted, caption = plotted_configs(order, summary)
    title = source.experiment
    plot_title = title + (f"\n({caption})" if caption else "")
    fitness = fitness_name(configs)
    labels = short_labels(_legend_entries(configs, plotted))
    plot_best_so_far(evaluations, plotted, folder / BEST_SO_FAR_PNG, plot_title, fitness,
                     labels)
    plot_generations(generation_best(evaluations), plotted, folder / GENERATIONS_PNG, plot_title,
                     fitness, generation_sizes(evaluations), labels)
    plot_regret(evaluations, _fitness_optima(source, plotted), folder / REGRET_PNG, plot_title,
                fitness)
    best = best_architectures(configs, run_best(evaluations), metrics, final_entries(finals))
    write_best(folder / BEST_JSON, best)
    if show:
        print_summary(summary, title)
    write_policy(folder, source, show)
    added = [entry for more in extras for entry in more(folder, configs, summary)]
    _write_page(folder, title, summary, best, labels, caption, added)


def _write_page(folder: Path, title: str, summary, best: dict, labels: dict[str, str],
                caption: str, extra: list | None = None) -> None:
    """report.html, from what the other report files hold (written first, into `folder`)."""
    from nasdsl.report.html import REPORT_HTML, Page, csv_tables, write_html
    from nasdsl.report.policy import NETWORK_COMPARISON_CSV, POLICY_SUMMARY_CSV

    shown = f" ({caption})" if caption else ""
    images = [(f"Best fitness so far against evaluations{shown}",
               (folder / BEST_SO_FAR_PNG).read_bytes()),
              (f"Best fitness of each generation{shown}",
               (folder / GENERATIONS_PNG).read_bytes())]
    if (folder / REGRET_PNG).is_file():
        images.append((f"Regret against evaluations{shown}", (folder / REGRET_PNG).read_bytes()))
    if (folder / LEARNING_CURVES_PNG).is_file():
        images.append(("Learning curves: validation accuracy against epochs, by rung",
                       (folder / LEARNING_CURVES_PNG).read_bytes()))
    tables = list(extra or []) + csv_tables(
        folder, [(POLICY_SUMMARY_CSV, "Learning controllers: what they end on"),
                 (NETWORK_COMPARISON_CSV, "One network against two"),
                 (FIDELITIES_CSV, "Evaluations at each fidelity (epochs)")])
    write_html(folder / REPORT_HTML, Page(title=title or "nasdsl report", summary=summary,
                                          notes=summary_notes(summary), images=images,
                                          tables=tables, best=best, labels=labels))


def _legend_entries(configs, plotted: list[str]) -> list[tuple[str, str, dict]]:
    """(config, group, swept) of the plotted configurations: the group is the search label,
    with its experiment when several experiments use that label."""
    ordered = configs.sort_values("position")
    experiments = ordered["experiment"] if "experiment" in ordered else None
    shared = set()
    if experiments is not None:
        per_label = ordered.groupby("search")["experiment"].nunique()
        shared = set(per_label[per_label > 1].index)
    out = []
    for i, c in enumerate(ordered.itertuples(index=False)):
        if c.config not in plotted:
            continue
        group = c.search if c.search not in shared else f"{experiments.iloc[i]} {c.search}"
        out.append((c.config, group, dict(c.swept or {})))
    return out


def _optimum(source: ReportSource):
    """Regret's reference, the best of the declared space: as the journal recorded it when
    the run started, else from the store, when it can be opened now."""
    from nasdsl.evaluators.optimum import optimum_key, space_optimum

    recorded = json.loads(source.meta.get("optima") or "{}")

    def optimum(evaluator: dict, metric: str, space: dict) -> float | None:
        value = recorded.get(optimum_key(evaluator, metric, space))
        if value is not None:
            return value
        try:  # settings a journal holds may be anything: an unreadable one means unknown
            return space_optimum(evaluator, metric, space)
        except (ValueError, TypeError, AttributeError):
            return None

    return optimum


def _fitness_optima(source: ReportSource, plotted: list[str]) -> dict[str, float | None]:
    """Each plotted configuration's best fitness in its declared space (None: unknown)."""
    optimum = _optimum(source)
    records = source.configs.set_index("config")
    references: dict[str, float | None] = {}
    for config in plotted:
        evaluator = dict(records.at[config, "evaluator"] or {})
        space = dict(records.at[config, "space"] or {})
        fitness = (evaluator.get("settings") or {}).get("fitness")
        references[config] = optimum(evaluator, str(fitness), space) if fitness else None
    return references


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
                   everything: bool = False, extras: Sequence[Extra] = ()) -> int:
    """`nasdsl report PATH… [--output DIR] [--all]`: each PATH is an output folder or a
    journal file; the report goes to `folder` (default: the journal's folder; required for
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
                          everything=everything)
    print(f"report written to {folder / REPORT_HTML}")
    return 0


__all__ = ["REPORT_FILES", "report_command", "write_combined_report", "write_report"]
