"""Hand-made journals with known values, written through the journal's own write API."""
from __future__ import annotations

from pathlib import Path

from nasdsl.journal import Journal

from nasdsl.journal.values import metrics_json
from nasdsl.plan import Budget, Call, EvaluatorSpec, SearchConfig, SpaceSpec

SPACE = SpaceSpec("cell", {"vertices": 7, "edges": 9, "ops": ["conv1x1", "conv3x3", "maxpool3x3"],
                           "topology": "dag"})
EVALUATOR = EvaluatorSpec("python", {"report": ["test_accuracy", "training_time"]},
                          target="somewhere:Evaluator")


def config(label: str, algorithm: str, settings: dict, swept: dict | None = None,
           index: int = 0, evaluator: EvaluatorSpec = EVALUATOR) -> SearchConfig:
    return SearchConfig(label=label, algorithm=algorithm, settings=settings, swept=swept or {},
                        budget=Budget(6, "evaluations"), space=SPACE, evaluator=evaluator,
                        index=index)


RE = config("regularized_evolution", "regularized_evolution",
            {"population": 2, "sample": 2, "mutation": Call("grow", {"add_node": 0.1})},
            swept={"population": 2})
RANDOM = config("random", "random", {}, index=1)

# (fitness or None for invalid, test_accuracy) per index; generation = index // 2 for RE.
RE_RUNS = {
    0: [(0.1, 0.09), (0.3, 0.29), (0.2, 0.19), (0.5, 0.45), (0.5, 0.99), (0.4, 0.39)],
    1: [(0.6, 0.59), (None, None), (0.2, 0.19), (0.1, 0.09), (0.7, 0.65), (0.3, 0.29)],
}
RANDOM_RUNS = {0: [(0.2, 0.19), (0.9, 0.85), (0.1, 0.09)]}  # a run cut short: one generation


def write_journal(path: Path, archs: list[str] | None = None,
                  hashes: list[str] | None = None) -> Path:
    """The journal of two searches: RE (2 runs, population 2) and random (1 short run).
    `archs`/`hashes` name the architecture of each index (cycled); made-up names otherwise."""
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "1", "experiment": "handmade", "seed": 0,
                            "repeat": 2, "source": "", "created": 0})
        journal.write_configs([RE, RANDOM])
        for cfg, runs, per_generation in ((RE, RE_RUNS, 2), (RANDOM, RANDOM_RUNS, 30)):
            for repeat, values in runs.items():
                run = f"{cfg.key}#{repeat}"
                journal.start_run(run, cfg.key, repeat, repeat)
                rows = []
                for i, (fitness, test) in enumerate(values):
                    arch = archs[i % len(archs)] if archs else f"{cfg.label}-{repeat}-{i}"
                    key = hashes[i % len(hashes)] if hashes else f"h{repeat}{i}"
                    status = "ok" if fitness is not None else "invalid"
                    metrics = {"test_accuracy": test, "training_time": 100.0 * i} if test else {}
                    rows.append((run, i, i // per_generation, arch, key, fitness, status,
                                 None if fitness is not None else "refused", 100.0 * i, 0.001,
                                 metrics_json(metrics)))
                journal.append(rows, finished=(run, len(rows)))
    return path
