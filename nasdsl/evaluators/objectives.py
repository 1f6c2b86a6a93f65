"""`objectives = [maximize(m), minimize(m), …]` as an evaluator setting: its declaration and
its checks, shared by the evaluators that offer several objectives.

With `objectives` the evaluator records every objective's value in each result's metrics
(under the name the file wrote) and the result's fitness is the first objective's value;
`fitness` is then left unset (None): the two exclude each other.
"""
from __future__ import annotations

from typing import Sequence

from nasdsl.objectives import SENSES, objectives_of
from nasdsl.settings import CallType, ListType, NameType, Param, Review, SettingError


def objectives_param(metrics: Sequence[str]) -> Param:
    """The `objectives` setting of an evaluator offering `metrics`."""
    metric = NameType(tuple(metrics), "metric")
    call = CallType({sense: (Param("metric", metric),) for sense in SENSES}, "objective")
    return Param("objectives", ListType(call, "list of objectives"), None,
                 "several objectives instead of `fitness`: [maximize(metric), "
                 "minimize(metric), …]; a multi-objective search looks for their Pareto front")


def check_objectives(review: Review) -> None:
    """`objectives` and `fitness` exclude each other; at least two objectives, each metric
    once. With `objectives`, `fitness` becomes None (the first objective fills its column)."""
    values = review.values
    if values.get("objectives") is None:
        return
    if "fitness" in review.written:
        raise SettingError("`fitness` and `objectives` exclude each other: a search with "
                           "`objectives` looks for their Pareto front, so drop `fitness`",
                           "fitness")
    items = objectives_of(values)
    if len(items) < 2:
        raise SettingError("`objectives` needs at least two objectives (one is `fitness = "
                           "…`)", "objectives")
    seen: set[str] = set()
    for o in items:
        if o.metric in seen:
            raise SettingError(f"`objectives` names `{o.metric}` twice", "objectives",
                               item=o.metric)
        seen.add(o.metric)
    values["fitness"] = None
