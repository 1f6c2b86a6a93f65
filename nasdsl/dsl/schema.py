"""The language's own settings as data: top level, `final` and `run` (keys, types, defaults).

The settings of spaces, evaluators and searches are declared by each component beside its
code and found through `nasdsl.registry`. Decisions where the reference is silent:

- `experiment` is a header (`experiment NAME` or `experiment "name"`); `experiment = …` is
  refused with a hint. Its default is the file stem (`experiment` for text with no file).
  A quoted name may hold any printable characters (`experiment "hidden forms"`); the default
  output folder is made from it with `output_folder_name` (`results/hidden_forms`).
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
  metric of the evaluator. `objectives = [maximize(m), minimize(m), …]` excludes `fitness`
  (the first objective fills the fitness column); a search is refused at its name when it
  cannot take what the evaluate block asks (one fitness, or objectives).
- `evaluate nasbench101` needs `space cell`, ops among conv1x1/conv3x3/maxpool3x3,
  `vertices` ≤ 7 and `edges` ≤ 9 (the benchmark holds nothing else): refused statically.
  `final` needs a trainable evaluator (not `nasbench101`).
- dqn: `epsilon` may be a float in [0, 1] or `decay(start, end, steps)`; `steps` defaults to
  the run's evaluation budget (it must be given with a time budget). `batch_size` ≤ `replay`.
- pygmo: `population` defaults to 20 and `generations` to none (evolve until the budget is
  spent); `gen` and `seed` are set by nasdsl and cannot be written; algorithms that refuse a
  single-objective problem (multi-objective ones, asked of pygmo) take `objectives` only. A
  defaulted constructor keyword that cannot work with the population (GACO's and MACO's
  `ker` = 63, MOEA/D's `neighbours` = 20, NSGA-III's `divisions` = 12) is lowered to the
  most the population allows, with a note. When `generations × population` is less than an
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

from nasdsl.dsl.limits import MAX_RUNS, MAX_SEED
from nasdsl.settings import BudgetType, IntType, Param, StringType
from nasdsl.settings.bounds import MAX_EPOCHS, MAX_TOP, MAX_WORKERS
from nasdsl.settings.types import REQUIRED

BLOCK_KINDS = ("experiment", "space", "evaluate", "search", "final", "run")


def _params(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


def _experiment_name_problem(text: str) -> str | None:
    if not text.strip():
        return "an experiment name must not be empty"
    if any(not ch.isprintable() for ch in text):
        return "an experiment name holds printable characters only"
    return None


def output_folder_name(experiment: str) -> str:
    """The default output folder's name for an experiment name: letters, digits, `_`, `-`
    and `.` kept, every other run of characters one `_` (so no name reaches outside
    `results/`: `a/../b` gives `a_.._b`), no leading dot or dash."""
    name = re.sub(r"[^A-Za-z0-9_.\-]+", "_", experiment.strip())
    name = name.lstrip(".-")
    return name if name.strip("_") else "experiment"


def _address_problem(text: str) -> str | None:
    """A scheduler address of a form Dask can dial (checked without connecting)."""
    from nasdsl.cluster import address_problem

    if not text.strip():
        return "must not be empty"
    problem = address_problem(text)
    return None if problem is None else f"{text!r} is no scheduler address: {problem}"


def _path_problem(text: str) -> str | None:
    """A path: not empty, and no control characters (a NUL cannot be in any file name)."""
    if not text.strip():
        return "must not be empty"
    bad = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        return f"must not hold control characters (found {bad!r})"
    return None


BUDGET = BudgetType()

TOP_LEVEL = _params(
    Param("seed", IntType(0, MAX_SEED), 0, "run r of every configuration uses seed `seed + r`"),
    Param("repeat", IntType(1, MAX_RUNS), 1, "independent runs per search configuration"),
    Param("budget", BUDGET, REQUIRED, "per run: evaluations or seconds of training time"),
    Param("output", StringType("a string (a folder)", _path_problem), None,
          "folder for journal, tables, plots; default results/<experiment>"),
)
TOP_LEVEL_SWEEPABLE = ("budget",)
EXPERIMENT_NAME = StringType("a name", _experiment_name_problem)

FINAL = _params(
    Param("top", IntType(1, MAX_TOP), 3, "architectures retrained"),
    Param("epochs", IntType(1, MAX_EPOCHS), 50, "training epochs of the retraining"),
)
RUN = _params(
    Param("workers", IntType(1, MAX_WORKERS), 1, "evaluations at once on this machine"),
    Param("cluster", StringType("a string (a scheduler address)", _address_problem), None,
          "address of an existing Dask scheduler"),
    Param("journal", StringType("a string (a path)", _path_problem), None,
          "journal path; default <output>/journal.sqlite"),
)
