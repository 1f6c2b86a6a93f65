"""Reports, read from the journal only: tables, plots and the best architectures.

`write_report(folder)` writes `evaluations.csv`, `summary.csv`, `best_so_far.png`,
`generations.png`, `regret.png` and `best.json` into `folder` from `folder/journal.sqlite` (or the
journal given). `report_command(path)` is `nasdsl report PATH`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from nasdsl.report.best import BEST_JSON, best_architectures, write_best
from nasdsl.report.plots import (BEST_SO_FAR_PNG, GENERATIONS_PNG, plot_best_so_far,
                                 plot_generations, plotted_configs)
from nasdsl.report.regret import REGRET_PNG, plot_regret
from nasdsl.report.source import ReportSource, find_journal, read_journal
from nasdsl.report.summary import generation_best, run_best, summarize
from nasdsl.report.tables import integral, print_summary, write_tables


def write_report(output_dir: Path, journal: Path | None = None, show: bool = False) -> Path:
    """Write every report file into `output_dir` and return that folder.

    `journal` defaults to `output_dir/journal.sqlite`. `show` prints the summary table.
    """
    output_dir = Path(output_dir)
    source = read_journal(journal or output_dir / "journal.sqlite")
    output_dir.mkdir(parents=True, exist_ok=True)
    _write(output_dir, source, show)
    return output_dir


def _write(folder: Path, source: ReportSource, show: bool) -> None:
    evaluations, configs = source.evaluations, source.configs
    swept = [k for s in configs["swept"] for k in dict(s or {})]
    columns = list(evaluations.columns)  # metrics follow wall_seconds, then swept keys
    extra = columns[columns.index("wall_seconds") + 1:]
    metrics = [c for c in extra if c not in swept]
    summary = summarize(configs, evaluations, optimum=_optimum(source),
                        space_optimum=_space_optimum(source))
    summary = integral(summary, [c for c in summary.columns if c in swept])
    write_tables(folder, integral(evaluations, extra), summary)
    order = list(configs.sort_values("position")["config"])
    plotted, caption = plotted_configs(order, summary)
    title = source.experiment
    plot_title = title + (f"\n({caption})" if caption else "")
    plot_best_so_far(evaluations, plotted, folder / BEST_SO_FAR_PNG, plot_title)
    plot_generations(generation_best(evaluations), plotted, folder / GENERATIONS_PNG, plot_title)
    space_best = _space_optimum(source)
    records = configs.set_index("config")
    references = {}
    for config in plotted:
        evaluator, space = dict(records.at[config, "evaluator"] or {}), \
            dict(records.at[config, "space"] or {}) if "space" in records else {}
        fitness = (evaluator.get("settings") or {}).get("fitness")
        references[config] = space_best(evaluator, space, fitness) if fitness else None
    plot_regret(evaluations, references, folder / REGRET_PNG, plot_title)
    write_best(folder / BEST_JSON, best_architectures(configs, run_best(evaluations), metrics))
    if show:
        print_summary(summary, title)


def _optimum(source: ReportSource):
    """Regret's reference: the optimum the journal recorded when the run started, else the
    store's, when it can be opened now."""
    from nasdsl.evaluators.optimum import optimum_key, table_optimum

    recorded = json.loads(source.meta.get("optima") or "{}")

    def optimum(evaluator: dict, metric: str) -> float | None:
        value = recorded.get(optimum_key(evaluator, metric))
        return value if value is not None else table_optimum(evaluator, metric)

    return optimum


def _space_optimum(source: ReportSource):
    """The declared space's best, as the journal recorded it, else from the store."""
    from nasdsl.evaluators.optimum import space_optimum, space_optimum_key

    recorded = json.loads(source.meta.get("space_optima") or "{}")

    def best(evaluator: dict, space: dict, metric: str) -> float | None:
        value = recorded.get(space_optimum_key(evaluator, space, metric))
        return value if value is not None else space_optimum(evaluator, space, metric)

    return best


def report_command(path: Path) -> int:
    """`nasdsl report PATH`: PATH is an output folder or a journal file. 2 when none."""
    journal = find_journal(Path(path))
    if journal is None:
        print(f"error: no journal at {path} (expected a journal file, or a folder holding "
              "journal.sqlite: run `nasdsl run FILE` first)", file=sys.stderr)
        return 2
    folder = write_report(journal.parent, journal=journal, show=True)
    print(f"report written to {folder}")
    return 0


__all__ = ["report_command", "write_report"]
