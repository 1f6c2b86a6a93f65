"""What an evaluation returns, whatever evaluated it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["ok", "invalid", "failed"]


@dataclass(frozen=True)
class Result:
    """Outcome of evaluating one architecture.

    `fitness` is what searches maximize (None unless status is "ok"). `metrics` holds the
    reported metrics by name. `cost_seconds` is the training time the evaluation stands for
    (simulated for a table lookup, wall time for real training): time budgets consume it.
    `status` is "invalid" for an architecture outside the space (with the reason in
    `error`) and "failed" for an evaluation that broke. `state` is what a training that a
    multi-fidelity search may continue ended with (weights and optimizer state, as bytes):
    the runner keeps it as a checkpoint beside the journal, never in it.
    """

    fitness: float | None
    metrics: dict[str, Any] = field(default_factory=dict)
    cost_seconds: float = 0.0
    status: Status = "ok"
    error: str | None = None
    state: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @classmethod
    def invalid(cls, reason: str) -> "Result":
        return cls(fitness=None, status="invalid", error=reason)

    @classmethod
    def failed(cls, reason: str) -> "Result":
        return cls(fitness=None, status="failed", error=reason)

    def plain(self) -> "Result":
        """This result with its fitness a Python float (or None), as the journal replays
        it: a resumed search then sees exactly what an uninterrupted one saw."""
        f = self.fitness
        if f is None or type(f) is float:
            return self
        return Result(float(f), self.metrics, self.cost_seconds, self.status, self.error,
                      self.state)


def usable_fitness(result: Result) -> float | None:
    """The fitness a search may compare, or None: only an ok result with a fitness that is
    not NaN counts (an invalid or failed candidate is never preferred to a valid one)."""
    f = result.fitness
    if result.status != "ok" or f is None or f != f:  # f != f: NaN
        return None
    return f
