"""What a report shows, computed once from a journal's tables: the summary, each
configuration's short label, the plotted configurations, the best architectures and the
interactive figures. `report.html` and the dashboard show the same analysis; the report
also writes it into files."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from nasdsl.report import figures as figures_
from nasdsl.report.best import best_architectures
from nasdsl.report.finals import final_entries, with_final_columns
from nasdsl.report.labels import short_labels
from nasdsl.report.plots import fitness_name, generation_sizes, plotted_configs
from nasdsl.report.source import ReportSource
from nasdsl.report.summary import generation_best, run_best, summarize
from nasdsl.report.tables import integral


@dataclass(frozen=True)
class Analysis:
    """One journal's (or a combined source's) report, before any file is written."""

    evaluations: pd.DataFrame
    summary: pd.DataFrame
    extra: list[str]
    """The evaluations' columns after the fixed ones (metrics, then swept keys)."""
    plotted: list[str]
    caption: str
    """Which configurations the plots leave out ("" when none)."""
    fitness: str
    labels: dict[str, str]
    """One short name a configuration, the same in every plot and table."""
    b: pd.DataFrame
    sizes: dict[str, int]
    references: dict[str, float | None]
    best: dict
    """The best.json document."""

    def figures(self) -> list[tuple[str, dict]]:
        """(caption, Plotly figure) of every plot with something to draw."""
        shown = f" ({self.caption})" if self.caption else ""
        fitness, labels, plotted = self.fitness, self.labels, self.plotted
        return [(caption, figure) for caption, figure in (
            (f"Best {fitness} so far against evaluations{shown}",
             figures_.best_so_far(self.evaluations, plotted, labels, fitness)),
            (f"Regret against evaluations: the declared space's best {fitness} minus the best "
             f"so far; a line ends where every run found the best{shown}",
             figures_.regret(self.evaluations, self.references, labels, fitness)),
            (f"Best {fitness} of each generation{shown}",
             figures_.generations(self.b, plotted, labels, fitness, self.sizes)),
            (f"Learning curves: validation accuracy of each configuration's best "
             f"evaluation{shown}", figures_.learning_curves(self.evaluations, plotted, labels)),
        ) if figure is not None]


def analyse(source: ReportSource) -> Analysis:
    """The report of `source`, computed."""
    evaluations, configs = source.evaluations, source.configs
    swept = [k for s in configs["swept"] for k in dict(s or {})]
    columns = list(evaluations.columns)  # metrics follow wall_seconds, then swept keys
    extra = columns[columns.index("wall_seconds") + 1:]
    metrics = [c for c in extra if c not in swept]
    summary = summarize(configs, evaluations, optimum=_optimum(source), runs=source.runs)
    summary = with_final_columns(summary, source.finals)
    summary = integral(summary, [c for c in summary.columns if c in swept])
    order = list(configs.sort_values("position")["config"])
    plotted, caption = plotted_configs(order, summary)
    best = best_architectures(configs, run_best(evaluations), metrics,
                              final_entries(source.finals))
    return Analysis(evaluations=evaluations, summary=summary, extra=extra, plotted=plotted,
                    caption=caption, fitness=fitness_name(configs),
                    labels=short_labels(_legend_entries(configs, order)),
                    b=generation_best(evaluations), sizes=generation_sizes(evaluations),
                    references=_fitness_optima(source, plotted), best=best)


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


