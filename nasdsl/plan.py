"""The compiled experiment: every run, fully expanded, before anything is evaluated.

The language compiles a `.nas` file into a `Plan`. Nothing downstream sees the syntax tree:
optimizers, evaluators, the runner and reports read these dataclasses only. Setting values
are plain Python values (int, float, str, bool, list, tuple) or a `Call` for call forms such
as `grow(add_node = 0.1)`; names such as `conv3x3` become `str`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping


@dataclass(frozen=True)
class Call:
    """A call value: `name(key = value, …)`; a bare name where a call is expected has no args."""

    name: str
    args: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        inner = ", ".join(f"{k} = {format_value(v)}" for k, v in self.args.items())
        return f"{self.name}({inner})"


def format_value(value: Any) -> str:
    """The `.nas` spelling of a compiled value (used in plans, config keys and reports)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Call):
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(format_value(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Budget):
        return str(value)
    return repr(value)


@dataclass(frozen=True)
class Budget:
    """Per-run budget: a count of evaluations, seconds of training time, or epochs of
    training (multi-fidelity searches)."""

    amount: float
    unit: Literal["evaluations", "seconds", "epochs"]

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{amount} {self.unit}"


def _component() -> Any:
    """A plan value's resolved component: not compared, not shown, not pickled (another
    process resolves the name again); None until resolved (a plan built in Python)."""
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class SpaceSpec:
    """`space KIND { … }` with every default filled in (`kind`: `cell`, `global` or an
    installed space's name).

    cell: vertices, edges, ops (list of str), topology ("dag" | "chain"), inputs (int or None).
    global: layers (int, or (lo, hi) tuple for a range), ops, filters, skips.
    """

    kind: str
    settings: Mapping[str, Any]
    component: Any = _component()
    """The registry's record of `kind` (`nasdsl.component.Component`), kept by the
    language so that the checks and the run resolve the name once."""


@dataclass(frozen=True)
class EvaluatorSpec:
    """`evaluate NAME { … }` or `evaluate "package.module:name" { … }` with every default
    filled in.

    `kind` is the evaluator's name, or "python" for one named by its import string
    (`target`), as journals record them; `name` is what the registry resolves. `written`
    names the settings the file wrote (None: all of them); a setting whose default depends
    on the data (`data_defaults` of the evaluator class, such as NAS-Bench-101's `report`)
    follows the data when it was not written. It is not part of what the journal records.
    """

    kind: str
    settings: Mapping[str, Any]
    target: str | None = None
    written: frozenset[str] | None = None
    component: Any = _component()

    @property
    def name(self) -> str:
        """The evaluator's name for the registry: its import string, else its kind."""
        return self.target or self.kind


@dataclass(frozen=True)
class SearchConfig:
    """One concrete contender: a search block with one value for every swept key.

    `swept` maps each swept key to its value in this configuration, keys spelled as in the
    file with their block as prefix where not top-level (`population`, `space.layers`,
    `mutation.add_node`, `evaluate.epochs`). `key` names the configuration stably across
    reruns and is what the journal and reports use.
    """

    label: str
    algorithm: str
    settings: Mapping[str, Any]
    swept: Mapping[str, Any]
    budget: Budget
    space: SpaceSpec
    evaluator: EvaluatorSpec
    index: int = 0
    component: Any = _component()
    """The search's record (see `SpaceSpec.component`)."""

    @property
    def key(self) -> str:
        if not self.swept:
            return self.label
        inner = ",".join(f"{k}={format_value(v)}" for k, v in self.swept.items())
        return f"{self.label}[{inner}]"

    def record(self) -> dict[str, Any]:
        """What decides what this configuration evaluates, as plain JSON data: what the
        journal records of it (beyond key, position, label and sweep) and what its
        fingerprint digests."""
        return {"algorithm": self.algorithm, "settings": jsonable(self.settings),
                "budget": str(self.budget),
                "space": {"kind": self.space.kind, "settings": jsonable(self.space.settings)},
                "evaluator": {"kind": self.evaluator.kind, "target": self.evaluator.target,
                              "settings": jsonable(self.evaluator.settings)}}

    def fingerprint(self) -> str:
        """Digest of `record()` (laid out as journals have always digested it)."""
        r = self.record()
        payload = json.dumps({**r, "space": [r["space"]["kind"], r["space"]["settings"]],
                              "evaluator": [r["evaluator"]["kind"], r["evaluator"]["target"],
                                            r["evaluator"]["settings"]]}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Run:
    """One repeat of one configuration; run r of every configuration uses seed `seed + r`."""

    config: SearchConfig
    repeat: int
    seed: int

    @property
    def key(self) -> str:
        return f"{self.config.key}#{self.repeat}"


@dataclass(frozen=True)
class FinalSpec:
    """`final { … }`: retrain the top architectures (Keras evaluator only)."""

    top: int = 3
    epochs: int = 50


@dataclass(frozen=True)
class ExecutionSpec:
    """`run { … }`: where evaluations run and where the journal lives."""

    workers: int = 1
    cluster: str | None = None
    journal: Path | None = None


@dataclass(frozen=True)
class Plan:
    experiment: str
    source: Path | None
    seed: int
    repeat: int
    output: Path
    configs: tuple[SearchConfig, ...]
    execution: ExecutionSpec = ExecutionSpec()
    final: FinalSpec | None = None
    notes: tuple[str, ...] = ()
    """Things `nasdsl check` should tell the user (e.g. a pygmo default replaced)."""

    @property
    def runs(self) -> list[Run]:
        return [Run(c, r, self.seed + r) for c in self.configs for r in range(self.repeat)]

    @property
    def journal_path(self) -> Path:
        return self.execution.journal or (self.output / "journal.sqlite")


def jsonable(value: Any) -> Any:
    """A plan value as plain JSON data (calls become {"call": name, "args": …})."""
    if isinstance(value, Call):
        return {"call": value.name, "args": jsonable(dict(value.args))}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Budget):
        return str(value)
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value
