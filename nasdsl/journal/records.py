"""The journal's rows as named records: what the runner writes and what it, reports and
`status` read back, by name rather than by position."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from nasdsl.result import Result


class Row(NamedTuple):
    """One row of the evaluations table, in column order (a plain tuple of the same order,
    with or without the last column, is accepted wherever a Row is)."""

    run: str
    index: int
    generation: int
    architecture: str
    hash: str
    fitness: float | None
    status: str
    error: str | None
    cost_seconds: float
    wall_seconds: float
    metrics: str
    """The metrics as JSON text (`values.metrics_json`)."""
    arrival: int | None = None
    """Its place among the run's completions; None when that is `index`."""

    @property
    def place(self) -> int:
        """Its place among the run's completions (the index unless told otherwise)."""
        return self.index if self.arrival is None else self.arrival


@dataclass(frozen=True)
class Recorded:
    """A journaled evaluation as the runner replays it."""

    index: int
    hash: str
    result: Result


@dataclass(frozen=True)
class RunState:
    """What the journal knows about one run."""

    run: str
    config: str
    repeat: int
    seed: int
    status: str
    evaluations: int
    data: str | None = None
    """JSON identifying the benchmark data the run read (None: format 1, or no data)."""
    failed: int = 0
    """How many of its evaluations failed."""


class RunProgress(NamedTuple):
    """How far one run got (`Reader.run_progress`)."""

    run: str
    config: str
    repeat: int
    status: str
    started: float | None
    finished: float | None
    evaluations: int
    best: float | None
    """The best fitness, at the run's highest fidelity when it has several."""
    fidelities: tuple[tuple[int, int], ...] = ()
    """A multi-fidelity run's (epochs, evaluations) at each fidelity; empty otherwise."""
