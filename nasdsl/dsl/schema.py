"""The tables of the language reference as data: keys, types, ranges and defaults.

The compiler reads only these tables (and pygmo, through `pygmo_catalog`), so adding a key or
an algorithm is a change here. Decisions where the reference is silent:

- `experiment` is a header (`experiment NAME` or `experiment "name"`); `experiment = …` is
  refused with a hint. Its default is the file stem (`experiment` for text with no file).
  A name may hold letters, digits, `_`, `-` and `.` (it becomes a folder name).
- `output` is relative to the current directory (like a Makefile target), not to the file.
- `seed` is an integer ≥ 0; `seed`, `repeat` and `output` cannot be swept (runs already
  vary the seed); a top-level `budget` can, and a search's own `budget` replaces it
  (the top-level sweep then does not multiply that search).
- A sweep takes a list literal; ranges are values, not sweeps (`layers = 5..9` searches the
  depth, `layers in [5, 7, 9]` runs three experiments).
- `layers = lo..hi` compiles to the tuple `(lo, hi)`; an integer stays an integer.
- Numbers: an integer is accepted where a number is expected (`gamma = 1`), never the other
  way round (`population = 1.0` is refused). Signed literals (`-1`) are accepted.
- A quoted string is accepted wherever a name from a fixed set is (`topology = "chain"`).
- Call arguments may be positional, in the order the tables below list them
  (`npz("data.npz")`, `decay(1.0, 0.05, 500)`); a positional one cannot follow a keyword one.
- `fitness` must be an accuracy metric (the search maximizes it); `report` may name any
  metric of the evaluator.
- `evaluate nasbench101` needs `space cell`, ops among conv1x1/conv3x3/maxpool3x3,
  `vertices` ≤ 7 and `edges` ≤ 9 (the benchmark holds nothing else): refused statically.
  `final` needs a trainable evaluator (not `nasbench101`).
- dqn: `epsilon` may be a float in [0, 1] or `decay(start, end, steps)`; `steps` defaults to
  the run's evaluation budget (it must be given with a time budget). `batch_size` ≤ `replay`.
- pygmo: `population` defaults to 20 and `generations` to none (evolve until the budget is
  spent); `gen` and `seed` are set by nasdsl and cannot be written; algorithms that refuse a
  single-objective problem (multi-objective ones, asked of pygmo) are refused. A defaulted
  constructor keyword that cannot work with the population (GACO's and MACO's `ker` = 63) is
  set to the population size, with a note. When `generations × population` is less than an
  evaluation budget, a note says the run will stop early.
- Settings of a pygmo search hold `generations`, `population` and only the constructor
  keywords written (or replaced); pygmo's own defaults are not copied into the plan.
- `data` of nasbench101 defaults to None: the store made by `nasdsl data nasbench101`.
- Swept key names: top level as written (`budget`), block keys prefixed by `space.` or
  `evaluate.`, search keys bare (`population`), call arguments as `key.argument`
  (`mutation.add_node`, `evaluate.optimizer.learning_rate`). `SearchConfig.index` counts
  configurations across the whole plan, in file order.
- Errors with no token to point at (a missing `space` block) point at line 1, column 1.
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

from nasdsl import ops as _ops
from nasdsl.dsl.types import (
    RATE, REQUIRED, BoolType, BudgetType, CallType, ChoiceType, IntType, LayersType,
    ListType, NameType, NumberType, OneOf, Param, StringType,
)
from nasdsl.plan import Call

NB101_OPS = tuple(_ops.NASBENCH101_OPS)
NB101_MAX_VERTICES = 7
NB101_MAX_EDGES = 9

BLOCK_KINDS = ("experiment", "space", "evaluate", "search", "final", "run")


def _params(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


def _experiment_name_problem(text: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", text) or text in (".", ".."):
        return "an experiment name holds letters, digits, `_`, `-` and `.` only"
    return None


def _non_empty(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


BUDGET = BudgetType()

TOP_LEVEL = _params(
    Param("seed", IntType(0), 0, "run r of every configuration uses seed `seed + r`"),
    Param("repeat", IntType(1), 1, "independent runs per search configuration"),
    Param("budget", BUDGET, REQUIRED, "per run: evaluations or seconds of training time"),
    Param("output", StringType("a string (a folder)", _non_empty), None,
          "folder for journal, tables, plots; default results/<experiment>"),
)
TOP_LEVEL_SWEEPABLE = ("budget",)
EXPERIMENT_NAME = StringType("a name", _experiment_name_problem)

# --- spaces ---------------------------------------------------------------------------

SPACES: dict[str, dict[str, Param]] = {
    "cell": _params(
        Param("vertices", IntType(2), 7, "most vertices, input and output included"),
        Param("edges", IntType(1), 9, "most connections"),
        Param("ops", ListType(NameType(_ops.CELL_OPS, "op"), "list of ops"),
              ["conv1x1", "conv3x3", "maxpool3x3"], "operations a hidden vertex may take"),
        Param("topology", NameType(("dag", "chain"), "topology"), "dag",
              "dag: any DAG; chain: hidden layers in sequence"),
    ),
    "global": _params(
        Param("layers", LayersType(), REQUIRED, "hidden layers: n, or lo..hi (searched)"),
        Param("ops", ListType(NameType(_ops.GLOBAL_OPS, "op"), "list of ops"),
              ["conv3x3", "maxpool2x2"], "layer types"),
        Param("filters", ListType(IntType(1), "list of positive integers"), [16, 32, 64, 128],
              "output channels a convolution may take"),
        Param("skips", IntType(0), 0, "most skip connections between non-adjacent layers"),
    ),
}

# --- evaluators -----------------------------------------------------------------------

METRICS: dict[str, tuple[str, ...]] = {
    "nasbench101": ("validation_accuracy", "test_accuracy", "train_accuracy", "training_time",
                    "trainable_parameters", "flops"),
    "keras": ("validation_accuracy", "validation_loss", "train_accuracy", "train_loss",
              "test_accuracy", "training_time", "parameters"),
}


def fitness_metrics(evaluator: str) -> tuple[str, ...]:
    """Metrics a search can maximize: the accuracies."""
    return tuple(m for m in METRICS[evaluator] if m.endswith("accuracy"))


DATASETS = ("fashion_mnist", "mnist", "digits", "cifar10")
DATASET = OneOf((
    NameType(DATASETS, "dataset"),
    CallType({"npz": (Param("path", StringType("a string (a path)", _non_empty)),)}, "dataset"),
))
OPTIMIZERS = CallType({
    "adam": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.001),),
    "sgd": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.01),
            Param("momentum", NumberType(0.0), 0.0)),
    "rmsprop": (Param("learning_rate", NumberType(0.0, lo_open=True), 0.001),
                Param("rho", NumberType(0.0, 1.0), 0.9)),
}, "optimizer")

EVALUATORS: dict[str, dict[str, Param]] = {
    "nasbench101": _params(
        Param("data", StringType("a string (a path)", _non_empty), None,
              "path to the imported table; default the store of `nasdsl data nasbench101`"),
        Param("fitness", NameType(fitness_metrics("nasbench101"), "metric"),
              "validation_accuracy", "what the search maximizes"),
        Param("repeats", NameType(("sample", "mean"), "repeats mode"), "sample",
              "sample: one of the three runs at random; mean: their mean"),
        Param("epochs", ChoiceType((4, 12, 36, 108)), 108, "training epochs looked up"),
        Param("report", ListType(NameType(METRICS["nasbench101"], "metric"), "list of metrics"),
              ["test_accuracy", "training_time"], "extra metrics recorded per evaluation"),
    ),
    "keras": _params(
        Param("dataset", DATASET, "fashion_mnist", "a dataset name or npz(\"path\")"),
        Param("epochs", IntType(1), 10, "training epochs per candidate"),
        Param("batch_size", IntType(1), 128),
        Param("optimizer", OPTIMIZERS, Call("adam", {"learning_rate": 0.001})),
        Param("validation", NumberType(0.0, 1.0, lo_open=True, hi_open=True), 0.1,
              "fraction of the training set held out to score fitness"),
        Param("subset", OneOf((IntType(1), NumberType(0.0, 1.0, lo_open=True))), 1.0,
              "fraction (float) or count (integer) of the training set"),
        Param("fitness", NameType(fitness_metrics("keras"), "metric"), "validation_accuracy"),
        Param("stem", IntType(1), 128, "stem channels around a cell space"),
        Param("stacks", IntType(1), 3, "stacks around a cell space"),
        Param("cells", IntType(1), 3, "cells per stack around a cell space"),
    ),
}
PYTHON_TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*")

# --- searches -------------------------------------------------------------------------

MUTATIONS = CallType({
    "grow": (Param("add_node", RATE, 0.1), Param("add_connection", RATE, 0.1)),
    "flip": (Param("rate", RATE, 1.0),),
}, "mutation")
NETWORKS = CallType({
    "dense": (Param("units", ListType(IntType(1), "list of positive integers", unique=False),
                    [64, 64]),),
    "lstm": (Param("units", IntType(1), 64),),
}, "network")
DECAY_STEPS_FROM_BUDGET = None
"""`decay(steps)` default: filled by the compiler with the evaluation budget."""
EPSILON = OneOf((
    RATE,
    CallType({"decay": (Param("start", RATE, 1.0), Param("end", RATE, 0.05),
                        Param("steps", IntType(1), DECAY_STEPS_FROM_BUDGET))}, "schedule"),
))

ALGORITHMS: dict[str, dict[str, Param]] = {
    "random": {},
    "regularized_evolution": _params(
        Param("population", IntType(1), 100, "population size"),
        Param("sample", IntType(1), 25, "tournament size (≤ population)"),
        Param("mutation", MUTATIONS, Call("grow", {"add_node": 0.1, "add_connection": 0.1}),
              "grow(add_node, add_connection) or flip(rate)"),
    ),
    "dqn": _params(
        Param("network", NETWORKS, Call("dense", {"units": [64, 64]}),
              "dense(units = [...]) or lstm(units = n)"),
        Param("target_network", BoolType(), True, "false = one network"),
        Param("target_update", IntType(1), 20, "steps between target network updates"),
        Param("gamma", RATE, 1.0, "discount"),
        Param("epsilon", EPSILON, Call("decay", {"start": 1.0, "end": 0.05, "steps": None}),
              "a float, or decay(start, end, steps); steps default: the budget"),
        Param("replay", IntType(1), 2000, "replay memory size"),
        Param("batch_size", IntType(1), 32, "replay batch (≤ replay)"),
        Param("learning_rate", NumberType(0.0, lo_open=True), 0.001),
    ),
}
ALGORITHMS["local_search"] = _params(
    Param("initial", IntType(1), 10, "random architectures each climb starts from (the best)"),
)
ALGORITHMS["bananas"] = _params(
    Param("initial", IntType(1), 10, "random architectures before the first prediction"),
    Param("batch", IntType(1), 10, "architectures chosen and evaluated together"),
    Param("retrain", IntType(1), 10, "evaluations between refits of the predictor"),
    Param("ensemble", IntType(2), 5, "neural predictors in the ensemble"),
    Param("parents", IntType(1), 10, "best architectures whose neighbours are candidates"),
)
SEARCH_BUDGET = Param("budget", BUDGET, None, "this search's own budget")

PYGMO_PREFIX = "pygmo."
PYGMO_POPULATION = Param("population", IntType(1), 20, "population size")
PYGMO_GENERATIONS = Param("generations", IntType(1), None,
                          "pygmo's gen; default: evolve until the budget is spent")
PYGMO_POPULATION_BOUND = ("ker",)
"""Constructor keywords that must not exceed the population (archive sizes)."""

# --- final and run --------------------------------------------------------------------

FINAL = _params(
    Param("top", IntType(1), 3, "architectures retrained"),
    Param("epochs", IntType(1), 50, "training epochs of the retraining"),
)
RUN = _params(
    Param("workers", IntType(1), 1, "evaluations at once on this machine"),
    Param("cluster", StringType("a string (a scheduler address)", _non_empty), None,
          "address of an existing Dask scheduler"),
    Param("journal", StringType("a string (a path)", _non_empty), None,
          "journal path; default <output>/journal.sqlite"),
)


def algorithm_names() -> list[str]:
    """Every algorithm a `search` block may name."""
    from nasdsl.dsl.pygmo_catalog import pygmo_algorithms

    return list(ALGORITHMS) + [PYGMO_PREFIX + n for n in pygmo_algorithms()]


def all_ops() -> Mapping[str, Sequence[str]]:
    return {"cell": _ops.CELL_OPS, "global": _ops.GLOBAL_OPS, "nasbench101": NB101_OPS}
