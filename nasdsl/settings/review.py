"""What a component's `validate` sees, and how it refuses: checks across settings.

A setting's own type checks one value (`population` is an integer ≥ 1). What depends on
several values (`sample ≤ population`), on the budget (DQN's `decay(steps)`), or on the space
(NAS-Bench-101 holds cells of at most 7 vertices) is the component's `validate(review)`:
it reads `review.values`, may fill derived values in place or add notes, and raises
`SettingError` naming the setting at fault, which the language turns into an error at that
setting's line and column.
"""
from __future__ import annotations

import copy
import inspect
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from nasdsl.errors import NasdslError
from nasdsl.plan import Budget, EvaluatorSpec, SpaceSpec
from nasdsl.settings.signature import closed_signature_parameters, signature_parameters
from nasdsl.settings.types import REQUIRED, IntType, NumberType, Param


class SettingError(NasdslError):
    """A component refuses a combination of settings.

    `key` names the setting to point at (its value as written; the block's start when the
    file did not write it), `block` the block it is in (None: the component's own, "space":
    the space block), `item` one item of a list value, `head` points at the block's name.
    """

    def __init__(self, message: str, key: str | None = None, *, block: str | None = None,
                 item: Any = None, head: bool = False, accepted: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.key = key
        self.block = block
        self.item = item
        self.head = head
        self.accepted = tuple(accepted)


@dataclass
class Review:
    """One block's settings under review: converted values (defaults filled), which ones the
    file wrote, and what the cross-checks may need. `validate` may change `values` (derived
    defaults) and append to `notes` (what `nasdsl check` tells the user)."""

    name: str
    values: dict[str, Any]
    written: frozenset[str] = frozenset()
    label: str = ""
    budget: Budget | None = None
    space: SpaceSpec | None = None
    notes: list[str] = field(default_factory=list)
    evaluator: EvaluatorSpec | None = None
    """The experiment's evaluator, for a search whose settings depend on it (the highest
    fidelity of a multi-fidelity search)."""
    objectives: int = 1
    """How many objectives the search is given (1: a fitness)."""


def not_above(review: Review, small: str, big: str) -> None:
    """Refuse `small` > `big` (a tournament larger than its population), pointing at the
    setting the user wrote."""
    values = review.values
    if values[small] <= values[big]:
        return
    if small in review.written:
        raise SettingError(f"`{small}` must not exceed `{big}` ({values[big]}), "
                           f"got {values[small]}", small)
    raise SettingError(f"`{big}` ({values[big]}) is below the default `{small}` "
                       f"({values[small]}); set `{small}` too", big)


def within_bounds(params: Iterable[Param], values: Mapping[str, Any]) -> None:
    """The declared bounds of numeric settings, for Python callers (a `.nas` file is checked
    against the same declarations first): ValueError naming the first value outside them,
    before anything is allocated by it."""
    for param in params:
        kind, given = param.type, values.get(param.name)
        if given is None or not isinstance(kind, (IntType, NumberType)):
            continue
        if isinstance(kind, IntType) and (isinstance(given, bool) or int(given) != given):
            raise ValueError(f"{param.name} must be an integer, not {given!r}")
        lo, hi = kind.lo, kind.hi
        low_open = getattr(kind, "lo_open", False)
        high_open = getattr(kind, "hi_open", False)
        if ((lo is not None and (given < lo or (low_open and given == lo))) or
                (hi is not None and (given > hi or (high_open and given == hi)))):
            raise ValueError(f"{param.name} must be {kind.describe()}, not {given!r}")


def parameters_of(component: Any) -> dict[str, Param]:
    """The settings a component declares (`parameters`), by name. A user's class that
    declares none (an empty `parameters` inherited from a base class, or a NORD-style class
    with no such attribute) takes the keyword arguments of its constructor, typed by their
    annotations (`nasdsl.settings.signature`)."""
    declared = getattr(component, "parameters", None)
    if declared or (declared is not None and _own(component)):
        items = declared.values() if isinstance(declared, Mapping) else declared
        return {p.name: p for p in items}
    return signature_parameters(component)


def keyword_parameters(component: Any) -> dict[str, Param] | None:
    """The settings of a Python object called with the block's settings as keyword arguments
    (`evaluate "module:name"`): its `parameters` when it declares some, else its signature's
    keyword arguments; None (any keyword, unchecked) when the signature cannot be read or
    takes `**kwargs`."""
    declared = getattr(component, "parameters", None)
    if declared:
        return parameters_of(component)
    return closed_signature_parameters(component)


def _own(component: Any) -> bool:
    """Whether the component is nasdsl's own: its declarations are complete, an empty
    `parameters` means no settings (a built-in's constructor may take tuning arguments
    that the language does not offer)."""
    return (getattr(component, "__module__", None) or "").split(".")[0] == "nasdsl"


def with_defaults(component: Any, settings: Mapping[str, Any]) -> dict[str, Any]:
    """`settings` with every declared default the component did not get filled in (the
    language fills them already; this serves Python callers that give only some)."""
    out = dict(settings)
    for name, param in parameters_of(component).items():
        if name not in out and param.fill and param.default is not REQUIRED:
            out[name] = copy.deepcopy(param.default)
    return out


def summary_of(component: Any) -> str:
    """The first paragraph of a component's docstring as one line, for `nasdsl list` (whole
    sentences: a paragraph's first line may stop mid-sentence)."""
    doc = (inspect.getdoc(component) or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split())
