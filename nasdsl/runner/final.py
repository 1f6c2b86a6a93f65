"""`final { top, epochs }`: after the search, the best architectures retrained and tested.

For each search configuration, its `top` distinct architectures (by the best fitness each
reached over the configuration's runs; ties go to the one evaluated first) are trained from
scratch for `epochs` on the whole training set by the configuration's own evaluator
(`retrain`), scored on the test set and saved as `<output>/models/<configuration>-<digest>-top<k>.keras`.
Only the runs of the plan count (repeats the file no longer asks for do not). Each retraining
is committed to the journal (`finals`, with the identity of the data it read) when it ends,
so a rerun after a kill skips the finished ones and redoes only the one that was interrupted.
Retraining k of every configuration uses seed `evaluation_seed(seed, k)`.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from nasdsl.evaluation.fidelity import below_top
from nasdsl.errors import DataError
from nasdsl.execution import EvaluatorFactory, evaluator_for
from nasdsl.journal.writer import Writer
from nasdsl.plan import Plan, SearchConfig
from nasdsl.progress import Progress
from nasdsl.output_folder import claim
from nasdsl.result import Result
from nasdsl.runner.components import Components
from nasdsl.seeding import evaluation_seed
from nasdsl.wording import count

MODELS = "models"


@dataclass(frozen=True)
class Candidate:
    """One architecture to retrain: its rank (1 = best) in its configuration."""

    config: SearchConfig
    rank: int
    hash: str
    architecture: str
    search_fitness: float


def top_candidates(evaluations: pd.DataFrame, config: SearchConfig, top: int) -> list[Candidate]:
    """The configuration's `top` distinct architectures by best fitness over its runs."""
    rows = evaluations[(evaluations["config"] == config.key) & (evaluations["status"] == "ok")
                       & evaluations["fitness"].notna()]
    if rows.empty:
        return []
    rows = rows.sort_values(["fitness", "run", "index"], ascending=[False, True, True],
                            kind="stable").drop_duplicates("hash", keep="first")
    return [Candidate(config, rank, str(r.hash), str(r.architecture), float(r.fitness))
            for rank, r in enumerate(rows.head(top).itertuples(index=False), start=1)]


def model_path(output: Path, candidate: Candidate) -> Path:
    """`<output>/models/<label>-<digest>-top<k>.keras`: readable, and unique per
    configuration even when sweeps give several the same label."""
    return output / MODELS / _model_name(candidate.config, candidate.rank)


def _model_name(config: SearchConfig, rank: int) -> str:
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", config.label).strip("_") or "config"
    digest = hashlib.sha1(config.key.encode()).hexdigest()[:8]
    return f"{label}-{digest}-top{rank}.keras"


def model_names(plan: Plan) -> list[str]:
    """Every file `final` may write into `<output>/models` (known before the search: a
    name depends on the configuration and the rank only); none without `final`."""
    if plan.final is None:
        return []
    return [_model_name(c, k) for c in plan.configs for k in range(1, plan.final.top + 1)]


def run_final(plan: Plan, journal: Writer, progress: Progress, components: Components,
              identities: dict[str, str | None]) -> int:
    """Retrain what the journal does not hold yet; returns how many were retrained now.
    `identities`: configuration key -> the JSON identity of its data (`checks`)."""
    if plan.final is None:
        return 0
    epochs, top = plan.final.epochs, plan.final.top
    evaluations = journal.evaluations()
    evaluations = evaluations[evaluations["run"] < plan.repeat]
    evaluations = evaluations[~below_top(evaluations)]  # the best at the highest fidelity
    done = {(r.config, r.hash, int(r.epochs), r.data)
            for r in journal.finals().itertuples(index=False)}
    todo: list[Candidate] = []
    for config in plan.configs:
        data = identities.get(config.key)
        todo += [c for c in top_candidates(evaluations, config, top)
                 if (config.key, c.hash, epochs, data) not in done]
    if not todo:
        return 0
    progress.begin(f"{plan.experiment}: final retraining, {count(epochs, 'epoch')}", len(todo),
                   len(done), None)
    for candidate in todo:
        _retrain(plan, candidate, journal, progress, components, identities)
    progress.end()
    return len(todo)


def _retrain(plan: Plan, candidate: Candidate, journal: Writer, progress: Progress,
             components: Components, identities: dict[str, str | None]) -> None:
    """Retrain one candidate and commit its row."""
    config, epochs = candidate.config, plan.final.epochs  # type: ignore[union-attr]
    name = f"{config.key} top{candidate.rank}"
    progress.run_started(name, 1, "evaluations")
    space = components.space(config.space)
    evaluator = evaluator_for(EvaluatorFactory(components.make_evaluator, config.evaluator,
                                               config.space))
    seed = evaluation_seed(plan.seed, candidate.rank)
    path = model_path(plan.output, candidate)
    claim(path.parent, [path.name], writing=True, what="the model")  # listed before it exists
    start = time.perf_counter()
    try:
        result = evaluator.retrain(space.parse(candidate.architecture), epochs, seed,
                                   save_to=path)
    except DataError:
        raise
    except Exception as e:  # a retraining that breaks is recorded, as an evaluation is
        result = Result.failed(f"{type(e).__name__}: {e}")
    wall = time.perf_counter() - start
    journal.record_final({
        "config": config.key, "hash": candidate.hash, "epochs": epochs,
        "rank": candidate.rank, "architecture": candidate.architecture,
        "search_fitness": candidate.search_fitness, "seed": seed,
        "status": result.status, "error": result.error, "fitness": result.fitness,
        "cost_seconds": float(result.cost_seconds), "wall_seconds": wall,
        "metrics": result.metrics, "model": str(path) if result.ok else None,
        "data": identities.get(config.key)})
    progress.run_finished(name, 1, result.fitness)


def final_problems(plan: Plan) -> list[str]:
    """Why `final` cannot run with this plan's evaluators (each must offer `retrain`)."""
    if plan.final is None:
        return []
    from nasdsl.evaluators.factory import evaluator_component

    problems = []
    for config in plan.configs:
        spec = config.evaluator
        try:
            retrains = evaluator_component(spec).retrains
        except DataError:
            continue  # the data checks say why this evaluator is not here
        if not retrains:
            problems.append(f"`final` retrains architectures, which evaluator {spec.name} "
                            "cannot (use `evaluate keras`)")
    return list(dict.fromkeys(problems))
