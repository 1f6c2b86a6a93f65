"""What the multi-fidelity searches share: their settings, their rung ladder, and the rule
that decides who is promoted.

A rung is a number of training epochs; the ladder goes from `min_epochs` by factors of
`eta` up to the evaluator's `epochs` (`nasdsl.evaluation.fidelity.rungs`). Of the results a
rung has, the top ⌊k/`eta`⌋ by fitness may go up one rung: ranked by fitness, highest first,
the earlier evaluation first among equals; an invalid or failed candidate is never promoted.
"""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

from nasdsl.evaluation.fidelity import At, Fidelities, rungs
from nasdsl.evaluation.history import Evaluation
from nasdsl.errors import NasdslError
from nasdsl.optimizers.base import Optimizer
from nasdsl.result import usable_fitness
from nasdsl.settings import BoolType, IntType, Param, Review, SettingError
from nasdsl.settings.bounds import MAX_EPOCHS
from nasdsl.spaces.base import Space

MIN_EPOCHS = Param("min_epochs", IntType(1, MAX_EPOCHS), None,
                   "epochs of the first rung; default 1, on NAS-Bench-101 the store's smallest")
ETA = Param("eta", IntType(2, 1000), 3,
            "each rung trains eta times longer and keeps the top 1/eta of the one below")
CONTINUE = Param("continue", BoolType(), True,
                 "a promoted candidate continues its training (false: from scratch)")


def promotable(results: Sequence[Evaluation], eta: int) -> list[Evaluation]:
    """The top ⌊k/eta⌋ of a rung's k results, best first (never an invalid or failed one)."""
    valid = [e for e in results if usable_fitness(e.result) is not None]
    valid.sort(key=lambda e: (-usable_fitness(e.result), e.index))  # type: ignore[operator]
    return valid[:len(results) // eta]


class MultiFidelitySearch(Optimizer):
    """A search that trains candidates briefly first and promotes the best: it asks for
    candidates at a fidelity (`At`), and spends an `epochs` budget (or evaluations, or time)."""

    multi_fidelity: ClassVar[bool] = True
    parameters: ClassVar = (MIN_EPOCHS, ETA, CONTINUE)

    @classmethod
    def validate(cls, review: Review) -> None:
        """`min_epochs` below the evaluator's `epochs` (the highest fidelity), when it
        declares one."""
        evaluator = review.evaluator
        top = None if evaluator is None else evaluator.settings.get("epochs")
        low = review.values.get("min_epochs")
        if evaluator is not None and evaluator.kind == "nasbench101" \
                and "continue" in review.written:
            review.notes.append("`continue` does not apply to NAS-Bench-101 lookups: each "
                                "rung looks its epochs up (and costs all of them)")
        if isinstance(top, int) and low is not None and low >= top:
            raise SettingError(f"`min_epochs` ({low}) must be below the evaluator's `epochs` "
                               f"({top}), the highest fidelity: a multi-fidelity search needs "
                               "two rungs or more", "min_epochs")
        if isinstance(top, int) and evaluator is not None and evaluator.kind != "nasbench101":
            ladder = rungs(low or 1, review.values.get("eta", ETA.default), top)
            review.notes.append(f"rungs of {' → '.join(map(str, ladder))} epochs")

    def __init__(self, space: Space, min_epochs: int | None = None, eta: int = ETA.default,
                 **settings: Any):
        self.min_epochs = None if min_epochs is None else int(min_epochs)
        self.eta = int(eta)
        if self.eta < 2:
            raise ValueError("eta must be at least 2")
        self.continues = bool(settings.pop("continue", True))
        extra = dict(settings)
        super().__init__(space, min_epochs=self.min_epochs, eta=self.eta,
                         **{"continue": self.continues}, **extra)

    def ladder(self, fidelities: Fidelities | None) -> tuple[int, ...]:
        """The rungs for what the evaluator serves."""
        if fidelities is None:
            raise NasdslError(f"`{self.name}` needs an evaluator that trains for a number of "
                              "epochs (keras, or nasbench101 with a store of several epochs)")
        low = self.min_epochs
        if low is None:
            low = fidelities.offered[0] if fidelities.offered else 1
        return rungs(low, self.eta, fidelities.top)

    def at(self, epochs: int, parent: Evaluation | None) -> At:
        """Where a candidate is asked for: continuing `parent`'s training unless `continue`
        is off."""
        return At(epochs, parent.index if parent is not None and self.continues else None)
