"""What each summary column means, in one line: the legend under the terminal table, the
header tips and legend of the report page, and the dashboard's."""
from __future__ import annotations

from typing import Iterable

LEGEND = {
    "config": "the search configuration (search label and swept values)",
    "label": "the configuration, named by the settings that differ between configurations",
    "experiment": "the experiment the configuration belongs to",
    "runs": "runs with evaluations (the file's repeat)",
    "unfinished": "runs not finished (interrupted or still running)",
    "evaluations": "evaluations over all runs",
    "repeats": "evaluations of an architecture its run had already evaluated (not `repeat`, "
               "the runs): budget that learned nothing new",
    "highest": "best fitness of any run",
    "highest_mean": "best, over runs, of a run's mean of its generations' best",
    "mean": "mean of every generation's best, over runs",
    "mean_of_highest": "mean over runs of each run's best fitness",
    "mean_first_hit": "mean generation (0-based) where a run first reached its best",
    "mean_first_hit_evaluations": "mean evaluations a run spent to first reach its best",
    "regret": "the declared space's best minus best_<metric>",
    "found_best": "share of runs whose best is the declared space's best",
}


def legend(columns: Iterable[str]) -> list[tuple[str, str]]:
    """(column, meaning) for the columns shown that the legend knows, in their order;
    `best_<metric>` columns explained by their metric."""
    out = []
    for column in columns:
        if column in LEGEND:
            out.append((column, LEGEND[column]))
        elif column.startswith("best_"):
            metric = column[len("best_"):]
            out.append((column, f"mean over runs of the {metric} of each run's best "
                                "architecture"))
    return out


__all__ = ["LEGEND", "legend"]
