"""Several journals in one report: `nasdsl report DIR1 DIR2 … --output DIR`.

Each journal is read as its latest plan sees it; its configurations are renamed
`<experiment>/<config>` (the folder's name instead when two experiments share a name), so two
experiments' `random` stay apart, and an `experiment` column says where each came from.
Journals are compared only when their configurations maximize the same fitness (the same
evaluator kind and metric): a best test accuracy beside a best validation accuracy would read
as a comparison and be none.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import pandas as pd

from nasdsl.errors import Incomparable
from nasdsl.report.source import ReportSource


def fitness_of(configs: pd.DataFrame) -> set[tuple[str, str]]:
    """The (evaluator kind, fitness metric) pairs a journal's configurations maximize."""
    out = set()
    for evaluator in configs["evaluator"]:
        e = dict(evaluator or {})
        out.add((str(e.get("kind") or "?"), str((e.get("settings") or {}).get("fitness")
                                                 or "fitness")))
    return out


def _spelled(pairs: set[tuple[str, str]]) -> str:
    return ", ".join(f"{kind} {metric}" for kind, metric in sorted(pairs)) or "nothing"


def check_comparable(sources: Sequence[tuple[Path, ReportSource]]) -> None:
    """Refuse (Incomparable) journals that maximize different fitness metrics, naming them."""
    seen: list[tuple[Path, set[tuple[str, str]]]] = []
    for path, source in sources:
        pairs = fitness_of(source.configs)
        if len(pairs) > 1:
            raise Incomparable(f"{path} compares configurations of different fitness "
                               f"metrics ({_spelled(pairs)}); report it alone")
        seen.append((path, pairs))
    kinds = {frozenset(p) for _, p in seen if p}
    if len(kinds) > 1:
        listing = "; ".join(f"{path}: {_spelled(p)}" for path, p in seen)
        raise Incomparable("cannot compare these journals: their fitness metrics differ "
                           f"({listing}); a report compares searches on one fitness")


def names(sources: Sequence[tuple[Path, ReportSource]]) -> list[str]:
    """One name per journal: its experiment, or its folder's name when experiments repeat."""
    experiments = [s.experiment or p.parent.name for p, s in sources]
    if len(set(experiments)) == len(experiments):
        return experiments
    folders = [p.parent.name for p, _ in sources]
    if len(set(folders)) == len(folders):
        return folders
    return [f"{e}#{i + 1}" for i, e in enumerate(experiments)]


def combine(sources: Sequence[tuple[Path, ReportSource]]) -> ReportSource:
    """One source holding every journal's configurations, renamed `<name>/<config>`."""
    check_comparable(sources)
    parts_configs, parts_evaluations, parts_runs, parts_outcomes = [], [], [], []
    parts_finals = []
    optima: dict = {}
    fronts: dict = {}
    position = 0
    hidden = 0
    for name, (path, source) in zip(names(sources), sources):
        rename = {c: f"{name}/{c}" for c in source.configs["config"]}
        configs = source.configs.sort_values("position").copy()
        configs["config"] = configs["config"].map(rename)
        configs.insert(0, "experiment", name)
        configs["position"] = range(position, position + len(configs))
        position += len(configs)
        parts_configs.append(configs)
        evaluations = source.evaluations.copy()
        # Every evaluation's configuration is in `rename` (the reader joins them): the name
        # prefixed in one vectorised step, not a lookup per row of millions.
        evaluations["config"] = f"{name}/" + evaluations["config"].astype("str")
        evaluations.insert(0, "experiment", name)
        parts_evaluations.append(evaluations)
        if source.runs is not None:
            runs = source.runs.copy()
            runs["config"] = runs["config"].map(rename)
            parts_runs.append(runs)
        if not source.outcomes.empty:
            outcomes = source.outcomes.copy()
            outcomes["config"] = outcomes["config"].map(rename)
            parts_outcomes.append(outcomes)
        if not source.finals.empty:
            finals = source.finals.copy()
            finals["config"] = finals["config"].map(rename)
            parts_finals.append(finals)
        optima.update(json.loads(source.meta.get("optima") or "{}"))
        fronts.update(json.loads(source.meta.get("fronts") or "{}"))
        hidden += source.hidden_runs
    meta = {"experiment": " + ".join(names(sources)), "optima": json.dumps(optima),
            "fronts": json.dumps(fronts)}
    evaluations = _concat(parts_evaluations)
    return ReportSource(meta=meta, configs=_concat(parts_configs).reset_index(drop=True),
                        evaluations=_ordered(evaluations),
                        runs=_concat(parts_runs) if parts_runs else None,
                        outcomes=_concat(parts_outcomes) if parts_outcomes else pd.DataFrame(),
                        finals=_concat(parts_finals) if parts_finals else pd.DataFrame(),
                        hidden_runs=hidden)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty] or frames[:1]
    return pd.concat(frames, ignore_index=True, sort=False) if frames else pd.DataFrame()


def _ordered(evaluations: pd.DataFrame) -> pd.DataFrame:
    """The fixed columns first (as one journal orders them), then metrics and swept keys."""
    if evaluations.empty:
        return evaluations
    fixed = ["experiment", "search", "config", "run"]
    rest = [c for c in evaluations.columns if c not in fixed]
    return evaluations[fixed + rest]
