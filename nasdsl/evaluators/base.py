"""The evaluator contract: how good is one architecture, as a `Result`.

`seed` is given per evaluation by the runner (derived from the run seed and the evaluation
index), so an evaluator that draws at random draws the same on a replayed run.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Mapping, Sequence

from nasdsl.plan import Budget
from nasdsl.result import Result
from nasdsl.settings import Param, Review


def accuracies(metrics: Sequence[str]) -> tuple[str, ...]:
    """The metrics a search can maximize: the accuracies."""
    return tuple(m for m in metrics if m.endswith("accuracy"))


class Evaluator(ABC):
    """Subclass and implement `evaluate` and `metrics`; override `evaluate_batch` when many
    evaluations at once are cheaper than one after another.

    As a component of the language (see `nasdsl.registry`) a class declares its settings in
    `parameters` (they arrive as keyword arguments), its cross-checks in `validate`, what its
    data cannot answer in `data_problems`, and its cost class in `expensive`.
    """

    parameters: ClassVar[Sequence[Param]] = ()
    expensive: ClassVar[bool] = False
    """True when one evaluation is costly (training): the runner then commits each result at
    once and spreads a batch over workers; False (lookups): whole runs go to workers."""
    offers: ClassVar[tuple[str, ...]] = ()
    """Every metric this kind of evaluator can record (`nasdsl list metrics`)."""
    ops: ClassVar[tuple[str, ...] | None] = None
    """The cell ops it can evaluate, when it cannot evaluate every op of a space."""
    reuse_results: ClassVar[bool] = False
    """True when an architecture a run already evaluated is answered from that result (it
    still counts as an evaluation) instead of being evaluated again: training costs."""
    wants_space: ClassVar[bool] = False
    """True when the class takes the built search space as `space=`: to turn architectures
    into descriptors, and to refuse what the space excludes."""
    data_defaults: ClassVar[tuple[str, ...]] = ()
    """Settings whose default depends on the data: when the file does not write one, the
    constructor's own default applies (it looks at the data), not the declared one."""

    @classmethod
    def validate(cls, review: Review) -> None:
        """Cross-checks of the settings (and of the space in `review.space`); raise
        `SettingError`. Nothing to check by default."""

    @classmethod
    def data_problems(cls, settings: Mapping[str, Any], budget: Budget,
                      written: frozenset[str] | None = None) -> list[str]:
        """Sentences naming what the data cannot answer for these settings (empty: fine).
        `written`: the settings the file wrote (None: all), so that a default the data
        cannot answer can be called a default."""
        return []

    @classmethod
    def fetch_data(cls, settings: Mapping[str, Any]) -> list[str]:
        """`nasdsl run`'s data stage, before `data_problems`: download what the settings
        need and is not here (never called by `nasdsl check`, which opens no connection).
        Sentences saying why a download failed (empty: fine, or nothing to fetch)."""
        return []

    @classmethod
    def data_notes(cls, settings: Mapping[str, Any], budget: Budget,
                   written: frozenset[str] | None = None) -> list[str]:
        """What the data changes in these settings without refusing them (a defaulted
        setting narrowed to what the data holds), for `nasdsl check` to say."""
        return []

    @classmethod
    def data_settings(cls, settings: Mapping[str, Any], budget: Budget,
                      written: frozenset[str] | None = None) -> dict[str, Any]:
        """The defaulted settings the data changes, as a run will use them (`nasdsl check`
        prints the plan with these, so what it shows is what runs). Empty: none change."""
        return {}

    @classmethod
    def data_identity(cls, settings: Mapping[str, Any]) -> dict[str, Any] | None:
        """Which data answers these settings, when answers come from stored data (a table):
        a record whose "id" changes whenever the answers could. The journal keeps it with
        each run, and a rerun on other data is refused. None: no such data."""
        return None

    @classmethod
    def cheap_function(cls, settings: Mapping[str, Any], space: Any = None) -> Any:
        """With `objectives`: how to know an architecture's cheap objectives (parameters,
        FLOPs) without evaluating it, as `arch -> {metric: value}` built for these settings
        (`space`: the built search space); None when this evaluator knows none."""
        return None

    @property
    @abstractmethod
    def metrics(self) -> tuple[str, ...]:
        """Names of the metrics each ok `Result` carries."""

    @abstractmethod
    def evaluate(self, x: Any, seed: int | None = None) -> Result: ...

    def evaluate_batch(self, items: Sequence[Any],
                       seeds: Sequence[int | None] | None = None) -> list[Result]:
        """Evaluate in order; `seeds[i]` goes with `items[i]`."""
        if seeds is None:
            seeds = [None] * len(items)
        if len(seeds) != len(items):
            raise ValueError(f"{len(items)} items but {len(seeds)} seeds")
        return [self.evaluate(x, seed=s) for x, s in zip(items, seeds)]
