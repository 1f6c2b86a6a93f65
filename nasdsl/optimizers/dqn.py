"""`search dqn { … }`: a deep Q-network controller that builds architectures step by step —
its settings and their cross-checks, declared ahead of the search itself, which this version
of nasdsl does not ship yet: a file using it is checked as it will be run, and `run` refuses
it with one clear sentence."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.plan import Call
from nasdsl.registry import ComponentError
from nasdsl.settings import (RATE, BoolType, CallType, IntType, ListType, NumberType, OneOf,
                             Param, Review, SettingError, not_above)
from nasdsl.spaces.base import Space

MISSING = ("algorithm 'dqn' is not available here: the DQN search is not part of this "
           "version of nasdsl yet")

NETWORKS = CallType({
    "dense": (Param("units", ListType(IntType(1), "list of positive integers", unique=False),
                    [64, 64]),),
    "lstm": (Param("units", IntType(1), 64),),
}, "network")
EPSILON = OneOf((
    RATE,
    CallType({"decay": (Param("start", RATE, 1.0), Param("end", RATE, 0.05),
                        Param("steps", IntType(1), None))}, "schedule"),
))
"""`decay(steps)` left None is filled by `validate` with the run's evaluation budget."""


class DQNSearch(Optimizer):
    """A DQN controller: each step picks the next architecture decision (Q-learning)."""

    name: ClassVar[str] = "dqn"
    parameters: ClassVar = (
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
    )

    @classmethod
    def validate(cls, review: Review) -> None:
        not_above(review, "batch_size", "replay")
        epsilon = review.values["epsilon"]
        if isinstance(epsilon, Call) and epsilon.args.get("steps") is None:
            budget = review.budget
            if budget is None or budget.unit != "evaluations":
                raise SettingError("with a time budget, `decay` needs `steps`", "epsilon")
            review.values["epsilon"] = Call(epsilon.name,
                                            {**epsilon.args, "steps": int(budget.amount)})

    def __init__(self, space: Space, **settings: Any):
        raise ComponentError(MISSING)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        raise ComponentError(MISSING)
