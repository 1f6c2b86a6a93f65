"""NAS-Bench-101 as an evaluator: a table lookup standing in for training.

Queries take a descriptor, a cell (anything with `matrix`, `ops` and `.hash`), a
`(matrix, ops)` pair or a hash. `repeats = sample` draws one of the stored training runs
with a generator seeded by the evaluation's seed (the evaluator's own generator when none
is given); `mean` averages the runs. `cost_seconds` is the simulated training time of what
was returned, so time budgets work; `total_training_time` accumulates it.

The same object speaks NORD's `BenchmarkEvaluator` protocol (`get_available_ops`,
`descriptor_evaluate`, `has_been_evaluated`, `descriptor_to_matrix`), so code written for
NORD runs against it unchanged.
"""
from __future__ import annotations

import os
import random
import warnings
from typing import Any, ClassVar, Mapping, Sequence

import numpy as np

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.evaluation.fidelity import Trial
from nasdsl.evaluators.base import Evaluator, accuracies
from nasdsl.evaluators.cell_hash import HashMemo
from nasdsl.evaluators.nasbench101_checks import metric_problems
from nasdsl.evaluators.objectives import check_objectives, objectives_param
from nasdsl.nasbench101 import MAX_EDGES, MAX_VERTICES, OP_STRINGS, OPS
from nasdsl.nasbench101 import descriptor_to_matrix as _to_matrix
from nasdsl.objectives import objectives_of
from nasdsl.plan import Budget
from nasdsl.result import Result
from nasdsl.settings import (ChoiceType, ListType, NameType, Param, Review, SettingError,
                             StringType, with_defaults)
from nasdsl.store.meta_schema import repair_advice
from nasdsl.store.nasbench101 import NASBench101Store
from nasdsl.store.table import METRICS

REPEATS = ("sample", "mean")
EPOCHS = (4, 12, 36, 108)
DEFAULT_REPORT = ("test_accuracy", "training_time")


def _non_empty(text: str) -> str | None:
    return None if text.strip() else "must not be empty"


DATA = Param("data", StringType("a string (a path)", _non_empty), None,
             "path to the imported table; default the store of `nasdsl data nasbench101`")
FITNESS = Param("fitness", NameType(accuracies(METRICS), "metric"), "validation_accuracy",
                "what the search maximizes")
REPEATS_SETTING = Param("repeats", NameType(REPEATS, "repeats mode"), "sample",
                        "sample: one of the three runs at random; mean: their mean")
EPOCHS_SETTING = Param("epochs", ChoiceType(EPOCHS), 108, "training epochs looked up")
REPORT = Param("report", ListType(NameType(METRICS, "metric"), "list of metrics"),
               list(DEFAULT_REPORT), "extra metrics recorded per evaluation; unwritten: "
               "those of the default the store holds")
ALIASES = {"parameters": "trainable_parameters"}
"""Objective names that stand for a store column (the language's `parameters`)."""
OBJECTIVES = objectives_param(METRICS + tuple(ALIASES))


def store_metric(name: str) -> str:
    """The store's column for a metric name the file may write."""
    return ALIASES.get(name, name)


def objective_metrics(settings: Mapping[str, Any]) -> list[str]:
    """The store columns the objectives of these settings read."""
    return [store_metric(o.metric) for o in objectives_of(settings)]


class NASBench101Evaluator(Evaluator):
    """Look architectures up in an imported NAS-Bench-101 store."""

    parameters: ClassVar = (DATA, FITNESS, REPEATS_SETTING, EPOCHS_SETTING, REPORT, OBJECTIVES)
    offers: ClassVar[tuple[str, ...]] = METRICS
    ops: ClassVar[tuple[str, ...]] = OPS
    data_defaults: ClassVar[tuple[str, ...]] = ("report",)

    def __init__(self, data: str | os.PathLike | None = DATA.default,
                 fitness: str = FITNESS.default, repeats: str = REPEATS_SETTING.default,
                 epochs: int = EPOCHS_SETTING.default, seed: int = 0,
                 report: Sequence[str] | None = None,
                 store: NASBench101Store | None = None, objectives: Sequence[Any] | None = None):
        """`report=None` reports those of test_accuracy and training_time the store holds
        (a `.nas` file always names its report metrics, and the plan's data checks refuse
        the ones the store lacks). `objectives` (the plan's calls): every objective's value
        is recorded under the name written, and the first one is the fitness."""
        self.objectives = objectives_of({"objectives": objectives})
        if self.objectives:
            fitness = store_metric(self.objectives[0].metric)
        if repeats not in REPEATS:
            raise ValueError(f"repeats must be one of {REPEATS}, got {repeats!r}")
        if epochs not in EPOCHS:
            raise ValueError(f"epochs must be one of {EPOCHS}, got {epochs!r}")
        for name in (fitness, *(report or ())):
            if name is None or name not in METRICS:
                raise ValueError(f"unknown metric {name!r}; known: {', '.join(METRICS)}")
        self.store = store if store is not None else NASBench101Store.open(data)
        if report is None:
            report = [m for m in DEFAULT_REPORT if m in self.store.metrics]
        self.fitness = fitness
        self.repeats = repeats
        self.epochs = int(epochs)
        self.report = tuple(dict.fromkeys(m for m in report if m != fitness))
        self.total_training_time = 0.0
        self._rng = random.Random(seed)
        self._hashes = HashMemo()
        self._rows: dict[str, int] = {}
        self._evaluated: set[str] = set()
        self._nord_runs: dict[str, int] = {}
        roles = {**{m: "report metric" for m in self.report},
                 **{store_metric(o.metric): "objective" for o in self.objectives},
                 fitness: "objective" if self.objectives else "fitness"}
        self._problems = metric_problems(
            self.store, (fitness, *self.report, *(store_metric(o.metric)
                                                  for o in self.objectives)), self.epochs, roles)
        self._columns: dict[tuple[str, int], np.ndarray] = {}
        self._usable_epochs: set[int] = set()
        self._has_time = "training_time" in self.store.metrics and not metric_problems(
            self.store, ("training_time",), self.epochs)
        self._n_repeats = self._repeats_of(fitness)

    # --- a component of the language ---------------------------------------------------
    @classmethod
    def validate(cls, review: Review) -> None:
        """NAS-Bench-101 holds cells of ≤ 7 vertices, ≤ 9 edges and three ops only;
        `objectives` excludes `fitness`."""
        check_objectives(review)
        space = review.space
        if space is None:
            return
        if space.kind != "cell":
            raise SettingError("`evaluate nasbench101` needs `space cell` (the benchmark "
                               "holds cells only)", block="space", head=True)
        for key, most in (("vertices", MAX_VERTICES), ("edges", MAX_EDGES)):
            if space.settings[key] > most:
                raise SettingError(f"`{key}` must be ≤ {most} with `evaluate nasbench101` "
                                   f"(got {space.settings[key]})", key, block="space")
        for op in space.settings["ops"]:
            if op not in cls.ops:
                raise SettingError(f"op `{op}` is not in NAS-Bench-101", "ops", block="space",
                                   item=op, accepted=cls.ops)

    @classmethod
    def data_problems(cls, settings: Mapping[str, Any], budget: Budget,
                      written: frozenset[str] | None = None) -> list[str]:
        """What the store cannot answer: missing metrics or epochs, training times for a
        time budget, or no store at all. An unwritten `report` keeps what the store holds
        (no problem); an unwritten `fitness` the store lacks is refused as the default, with
        the line to write."""
        from nasdsl.evaluators.nasbench101_checks import default_fitness_problem, store_problems

        s = with_defaults(cls, settings)
        store = cls._store_for_checks(s)
        if isinstance(store, str):
            return [store]
        defaulted = set() if written is None else set(s) - set(written)
        report = tuple(s["report"] or ())
        if "report" in defaulted:
            report = tuple(m for m in DEFAULT_REPORT if m in store.metrics)
        fitness = s["fitness"]
        aims = objective_metrics(s)
        if aims:
            fitness, report = aims[0], (*report, *aims[1:])
            defaulted.discard("fitness")
        problems = store_problems(store, fitness, report, int(s["epochs"]),
                                  time_budget=budget.unit == "seconds")
        if "fitness" in defaulted and s["fitness"] not in store.metrics:
            problems = [default_fitness_problem(store, s["fitness"]) if s["fitness"] in p
                        and "fitness" in p else p for p in problems]
        return problems

    @classmethod
    def data_notes(cls, settings: Mapping[str, Any], budget: Budget,
                   written: frozenset[str] | None = None) -> list[str]:
        """An unwritten `report` leaves out the default metrics the store lacks: say which."""
        from nasdsl.evaluators.nasbench101_checks import holds

        store = cls._store_for_default_report(settings, written)
        if store is None:
            return []
        left = [m for m in DEFAULT_REPORT if m not in store.metrics]
        if not left:
            return []
        return [f"report: the default leaves out {', '.join(left)}, which the NAS-Bench-101 "
                f"store lacks (it holds {holds(store)})"]

    @classmethod
    def data_settings(cls, settings: Mapping[str, Any], budget: Budget,
                      written: frozenset[str] | None = None) -> dict[str, Any]:
        """An unwritten `report` is the default metrics the store holds."""
        store = cls._store_for_default_report(settings, written)
        if store is None:
            return {}
        return {"report": [m for m in DEFAULT_REPORT if m in store.metrics]}

    @classmethod
    def _store_for_default_report(cls, settings: Mapping[str, Any],
                                  written: frozenset[str] | None) -> "NASBench101Store | None":
        """The store when `report` is left to its default and the store opens, else None."""
        if written is None or "report" in written:
            return None
        store = cls._store_for_checks(with_defaults(cls, settings))
        return None if isinstance(store, str) else store

    @classmethod
    def _store_for_checks(cls, settings: Mapping[str, Any]) -> "NASBench101Store | str":
        """The store the settings name, or why it cannot be opened (a sentence)."""
        try:
            return NASBench101Store.open(settings["data"])
        except DamagedDataError:
            raise  # a damaged store stops everything (exit 1); it is no setting to fix
        except DataError as e:
            return str(e)

    @classmethod
    def data_identity(cls, settings: Mapping[str, Any]) -> dict[str, Any] | None:
        """The store's identity (`NASBench101Store.identity`); None when there is no store
        (the data checks say so first)."""
        s = with_defaults(cls, settings)
        try:
            return NASBench101Store.open(s["data"]).identity
        except DamagedDataError:
            raise
        except DataError:
            return None

    @classmethod
    def fidelities(cls, settings: Mapping[str, Any]) -> tuple[int, ...]:
        """The epochs a multi-fidelity search may look up: those the store holds, up to
        `epochs` (none when there is no store: the data checks say why)."""
        s = with_defaults(cls, settings)
        store = cls._store_for_checks(s)
        if isinstance(store, str):
            return ()
        return tuple(e for e in store.epochs if e <= int(s["epochs"]))

    @classmethod
    def cheap_function(cls, settings: Mapping[str, Any], space: Any = None) -> Any:
        """Parameters and FLOPs from the table's per-cell columns: a lookup, never an
        evaluation."""
        s = with_defaults(cls, settings)
        return CheapLookup(NASBench101Store.open(s["data"]))

    # --- Evaluator ---------------------------------------------------------------------
    @property
    def metrics(self) -> tuple[str, ...]:
        return (self.fitness, *self.report, *(o.metric for o in self.objectives
                                              if o.metric not in (self.fitness, *self.report)))

    def evaluate(self, x: Any, seed: int | None = None) -> Result:
        """One lookup (at a `Trial`'s epochs, for a multi-fidelity search); an architecture
        outside the table is an `invalid` Result."""
        self._check_usable()
        epochs = self._epochs_of(x)
        if isinstance(x, Trial):
            x = x.arch
        h, reason = self._hashes.outcome(x)
        if h is None:
            return Result.invalid(reason)
        row = self._row(h)
        if row < 0:
            return Result.invalid(f"cell {h} is not in the NAS-Bench-101 table")
        return self._result(h, row, self._pick(seed), epochs)

    def evaluate_batch(self, items: Sequence[Any],
                       seeds: Sequence[int | None] | None = None) -> list[Result]:
        """Many lookups with one vectorized binary search over all their hashes."""
        self._check_usable()
        if seeds is None:
            seeds = [None] * len(items)
        if len(seeds) != len(items):
            raise ValueError(f"{len(items)} items but {len(seeds)} seeds")
        epochs = [self._epochs_of(x) for x in items]
        outcomes = [self._hashes.outcome(x.arch if isinstance(x, Trial) else x) for x in items]
        wanted = [h for h, _ in outcomes if h is not None]
        rows = iter(self.store.rows(wanted).tolist()) if wanted else iter(())
        results = []
        for (h, reason), seed, e in zip(outcomes, seeds, epochs):
            if h is None:
                results.append(Result.invalid(reason))
                continue
            row = next(rows)
            if row < 0:
                results.append(Result.invalid(f"cell {h} is not in the NAS-Bench-101 table"))
            else:
                results.append(self._result(h, row, self._pick(seed), e))
        return results

    def query(self, x: Any, seed: int | None = None) -> dict[str, Any]:
        """Every metric the store holds for `x` (one run, or the mean), plus the spec."""
        h, reason = self._hashes.outcome(x)
        if h is None:
            raise ValueError(reason)
        row = self._row(h)
        if row < 0:
            raise ValueError(f"cell {h} is not in the NAS-Bench-101 table")
        pick = self._pick(seed)
        out: dict[str, Any] = {"hash": h}
        out["module_adjacency"], out["module_operations"] = self.store.spec(row)
        for name in self.store.metrics:
            if not metric_problems(self.store, (name,), self.epochs):
                out[name] = self._value(name, row, pick)
        return out

    # --- NORD's BenchmarkEvaluator protocol ----------------------------------------------
    def get_available_ops(self) -> list[str]:
        return list(OP_STRINGS)

    @staticmethod
    def descriptor_to_matrix(descriptor: Any) -> tuple[list[list[int]], list[str]]:
        return _to_matrix(descriptor)

    def has_been_evaluated(self, descriptor: Any) -> bool:
        h, _ = self._hashes.outcome(descriptor)
        return h is not None and h in self._evaluated

    def descriptor_evaluate(self, descriptor: Any,
                            acc: str = "validation_accuracy") -> tuple[float, float]:
        """(accuracy, training time) as NORD returns them: the first query of a cell draws a
        run and later queries of it (or of an isomorphic cell) return that same run. An
        invalid cell gives (0.0, 0.0), as in NORD, with a warning saying why."""
        problems = metric_problems(self.store, (acc,), self.epochs)
        if problems:
            raise DataError(problems[0])
        h, reason = self._hashes.outcome(descriptor)
        row = self._row(h) if h is not None else -1
        if row < 0:
            warnings.warn(f"NAS-Bench-101: {reason or f'cell {h} is not in the table'}; "
                          "scored 0", stacklevel=2)
            return 0.0, 0.0
        pick = self._nord_runs.get(h)
        if pick is None:
            pick = self._nord_runs[h] = self._pick(None)
        self._evaluated.add(h)
        value = self._value(acc, row, pick)
        seconds = self._value("training_time", row, pick) if self._has_time else 0.0
        self.total_training_time += seconds or 0.0
        return (float("nan") if value is None else float(value)), float(seconds or 0.0)

    # --- internals -------------------------------------------------------------------
    def _check_usable(self) -> None:
        if self._problems:
            raise DataError("; ".join(self._problems))

    def _epochs_of(self, x: Any) -> int:
        """The epochs to look `x` up at: a `Trial`'s (which the store must hold: the data
        checks refuse a search whose rungs it lacks), else the evaluator's."""
        if not isinstance(x, Trial) or x.epochs == self.epochs:
            return self.epochs
        if x.epochs not in self._usable_epochs:
            problems = metric_problems(self.store, (self.fitness, *self.report), x.epochs)
            if problems:
                raise DataError("; ".join(problems))
            self._usable_epochs.add(x.epochs)
        return x.epochs

    def _row(self, h: str) -> int:
        row = self._rows.get(h)
        if row is None:
            row = self._rows[h] = self.store.row(h)
        return row

    def _repeats_of(self, name: str) -> int:
        if name not in self.store.metrics:
            return 1
        return max(self.store.repeats_of(name, self.epochs), 1)

    def _pick(self, seed: int | None) -> int | None:
        """Repeat to report (None = the mean of all repeats)."""
        if self.repeats == "mean":
            return None
        n = self._n_repeats
        if n == 1:
            return 0
        if seed is None:
            return self._rng.randrange(n)
        return random.Random(seed).randrange(n)

    def _column(self, name: str, epochs: int | None = None) -> np.ndarray:
        """(cells, repeats) for a run metric at `epochs` (default: the evaluator's), (cells,)
        for a cell one."""
        epochs = self.epochs if epochs is None else epochs
        col = self._columns.get((name, epochs))
        if col is None:
            arr = self.store.array(name)
            if arr.ndim == 3:
                arr = arr[:, self.store.epochs.index(epochs), :]
            col = self._columns[name, epochs] = arr
        return col

    def _value(self, name: str, row: int, pick: int | None,
               epochs: int | None = None) -> float | int | None:
        col = self._column(name, epochs)
        if col.ndim == 1:
            v = col[row].item()
            return None if v != v else v
        if pick is not None:
            v = float(col[row, pick]) if pick < col.shape[1] else float("nan")
            return None if v != v else v
        values = [v for v in col[row].tolist() if v == v]
        return sum(values) / len(values) if values else None

    def _result(self, h: str, row: int, pick: int | None, epochs: int | None = None) -> Result:
        """The lookup; a store that breaks under it stops the run instead of being
        recorded as a failed evaluation (verification at open makes this rare)."""
        try:
            return self._lookup(h, row, pick, self.epochs if epochs is None else epochs)
        except (IndexError, ValueError, KeyError, TypeError, OSError) as e:
            raise DamagedDataError(
                f"{self.store.path}: looking up cell {h} failed ({type(e).__name__}: {e}); "
                f"the store is damaged, {repair_advice(self.store.meta)}") from None

    def _lookup(self, h: str, row: int, pick: int | None, epochs: int) -> Result:
        self._evaluated.add(h)
        fitness = self._value(self.fitness, row, pick, epochs)
        if fitness is None:
            return Result.failed(f"the store has no {self.fitness} for cell {h} at "
                                 f"{epochs} epochs" + ("" if pick is None else f", run {pick}"))
        metrics = {self.fitness: fitness}
        for name in self.report:
            metrics[name] = self._value(name, row, pick, epochs)
        for o in self.objectives:  # under the name the file wrote
            if o.metric not in metrics:
                metrics[o.metric] = self._value(store_metric(o.metric), row, pick, epochs)
        cost = 0.0
        if self._has_time:
            cost = metrics.get("training_time") if "training_time" in metrics else \
                self._value("training_time", row, pick, epochs)
            cost = cost or 0.0
        self.total_training_time += cost
        return Result(fitness=float(fitness), metrics=metrics, cost_seconds=float(cost))



class CheapLookup:
    """An architecture's cell metrics (parameters, FLOPs) read from the store: what a
    multi-objective search knows before it evaluates; an architecture outside the table
    gets none."""

    def __init__(self, store: NASBench101Store):
        self.store = store
        self._hashes = HashMemo()
        self._columns = {name: store.array(store_metric(name)) for name in
                         ("parameters", "trainable_parameters", "flops")
                         if store_metric(name) in store.metrics}

    def __call__(self, x: Any) -> dict[str, float]:
        h, _ = self._hashes.outcome(x)
        if h is None:
            return {}
        row = self.store.row(h)
        if row < 0:
            return {}
        return {name: float(col[row]) for name, col in self._columns.items()}
