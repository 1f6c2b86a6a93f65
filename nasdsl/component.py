"""A component as nasdsl uses it: the object a name resolves to, with every optional
declaration and hook filled in.

A search, evaluator or space is the user's class (or, for a Python evaluator, any callable).
It may declare little: a NORD-style evaluator has no `expensive`, a user's search no
`outcome`. `Component` wraps it the way `pygmo.problem` wraps a user's problem: each optional
declaration reads the object's own value or the default in `DECLARATIONS`, and each hook
(`validate`, the data checks, `largest_batch`, …) calls the object's method or does what its
absence means. Callers ask the record, never the object, so no caller probes with `getattr`.

The registry resolves a name once into a record (`nasdsl.registry.resolve`); the language
keeps it with the plan's specs, so the checks, `nasdsl list` and the runner read one record.
A new declaration (an optimizer's `multi_objective` or `multi_fidelity`, whether an evaluator
`continues` a training) is one entry in `DECLARATIONS`, read with `declared(name)`; a new
hook (an evaluator's `fidelities(settings)`) is read with `hook(name)`.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from nasdsl.settings import (Param, Review, SettingError, keyword_parameters, parameters_of,
                             with_defaults)

DECLARATIONS: dict[str, dict[str, Any]] = {
    "optimizer": {
        "reserved": {},
        "multi_objective": False,
        "multi_fidelity": False,
    },
    "evaluator": {
        "expensive": False,
        "reuse_results": False,
        "wants_space": False,
        "ops": None,
        "offers": (),
        "data_defaults": (),
        "epochs": None,
        "continues": False,
    },
    "space": {},
}
"""Each kind's optional declarations (class attributes) and what one not made means."""

_OMITTED = object()


def declared(kind: str, obj: Any, what: str) -> Any:
    """`obj`'s declaration `what` (its class's, or an instance's own), or the default for its
    kind when it makes none. KeyError for a declaration `DECLARATIONS` does not list."""
    default = DECLARATIONS[kind][what]
    value = getattr(obj, what, _OMITTED)
    return default if value is _OMITTED or value is None else value


def _unplaced() -> None:
    """What a record becomes when pickled: it is resolved again where it is needed."""
    return None


@dataclass(frozen=True, eq=False)
class Component:
    """One resolved name: `kind` ("optimizer", "evaluator", "space"), `name` as the file
    writes it, `obj` the class or callable, `built_in` whether it is one of nasdsl's own, and
    `target` whether the file named it "package.module:name" (a Python evaluator target is
    called with only the settings the file writes, and receives descriptors)."""

    kind: str
    name: str
    obj: Any
    built_in: bool = False
    target: bool = False

    def __reduce__(self) -> tuple:
        # a record does not travel to other processes: they resolve the name themselves
        return _unplaced, ()

    # --- declarations --------------------------------------------------------------------
    def declared(self, what: str) -> Any:
        """The declaration `what` of this component, or its kind's default."""
        return declared(self.kind, self.obj, what)

    @property
    def expensive(self) -> bool:
        """An evaluator whose one evaluation is costly (training)."""
        return bool(self.declared("expensive"))

    @property
    def wants_space(self) -> bool:
        """An evaluator built with the search space (`space=`)."""
        return bool(self.declared("wants_space"))

    @property
    def describes_space(self) -> bool:
        """An evaluator that is built knowing the space: it takes `space=`, or it is a Python
        target that may speak NORD's `descriptor_evaluate` and so needs descriptors."""
        return self.wants_space or self.target

    @property
    def ops(self) -> tuple[str, ...]:
        """The cell ops an evaluator can evaluate; empty when it does not say."""
        return tuple(self.declared("ops") or ())

    @property
    def offers(self) -> tuple[str, ...]:
        """Every metric an evaluator can record."""
        return tuple(self.declared("offers"))

    @property
    def reserved(self) -> Mapping[str, tuple[str, str | None]]:
        """Keys a search spells differently or sets itself, with why (and the key meant)."""
        return self.declared("reserved")

    @property
    def retrains(self) -> bool:
        """An evaluator that `final` can ask to retrain (it has `retrain`)."""
        return callable(getattr(self.obj, "retrain", None))

    @functools.cached_property
    def parameters(self) -> dict[str, Param] | None:
        """The settings it declares, by name. A Python evaluator target takes its keyword
        arguments (None: any keyword, unchecked); anything else its `parameters`, or its
        constructor's keyword arguments when it declares none."""
        if self.target and self.kind == "evaluator":
            return keyword_parameters(self.obj)
        return parameters_of(self.obj)

    # --- hooks ---------------------------------------------------------------------------
    def hook(self, name: str) -> Callable[..., Any] | None:
        """The object's own method `name`, or None when it has none (the named methods below
        say what none means)."""
        hook = getattr(self.obj, name, None)
        return hook if callable(hook) else None

    def default_argument(self, name: str) -> Any:
        """The default of the constructor's keyword argument `name`; None without one."""
        try:
            default = inspect.signature(self.obj).parameters[name].default
        except (KeyError, TypeError, ValueError):
            return None
        return None if default is inspect.Parameter.empty else default

    def validate(self, review: Review) -> None:
        """Its cross-checks of `review` (SettingError); none when it declares none."""
        hook = self.hook("validate")
        if hook is not None:
            hook(review)

    def largest_batch(self, settings: Mapping[str, Any]) -> int | None:
        """Most candidates a search asks for at once with `settings`; None: no bound."""
        hook = self.hook("largest_batch")
        return hook(settings) if hook is not None else None

    def listing(self) -> list[str]:
        """More lines `nasdsl list` shows beside the settings (pygmo's behaviour)."""
        hook = self.hook("listing")
        return list(hook()) if hook is not None else []

    def outcome(self, built: Any) -> dict[str, Any]:
        """What a built search found beyond its evaluations; {} when it says nothing."""
        hook = getattr(built, "outcome", None)
        return dict(hook()) if callable(hook) else {}

    def data_check(self, method: str, settings: Mapping[str, Any], budget: Any,
                   written: frozenset[str] | None, empty: Any) -> Any:
        """An evaluator's data check `method` (`data_problems`, `data_notes`,
        `data_settings`), with `written` when it takes it; `empty` when it has none."""
        check = self.hook(method)
        if check is None:
            return empty
        try:
            takes_written = "written" in inspect.signature(check).parameters
        except (TypeError, ValueError):
            takes_written = False
        if takes_written:
            return check(settings, budget, written=written)
        return check(settings, budget)

    def fetch_data(self, settings: Mapping[str, Any]) -> list[str]:
        """An evaluator's downloads before the data checks: why one failed (empty: fine)."""
        fetch = self.hook("fetch_data")
        return list(fetch(settings)) if fetch is not None else []

    def data_identity(self, settings: Mapping[str, Any]) -> dict[str, Any] | None:
        """Which stored data answers an evaluator with `settings`; None: no such data."""
        identify = self.hook("data_identity")
        return identify(settings) if identify is not None else None

    # --- building ------------------------------------------------------------------------
    def unknown_settings(self, settings: Mapping[str, Any], what: str) -> None:
        """Refuse (SettingError) a setting it does not declare; `what` names the block."""
        declared_ = self.parameters
        if declared_ is None:
            return
        for key in settings:
            if key not in declared_:
                raise SettingError(f"{what}: unknown setting {key!r}", key,
                                   accepted=tuple(declared_))

    def settings(self, given: Mapping[str, Any], written: frozenset[str] | None = None
                 ) -> dict[str, Any]:
        """What it is called with: a Python evaluator target, the settings the file writes;
        anything else, every declared default filled in, less the data-dependent defaults
        (`data_defaults`) the file did not write, so that the constructor's own applies."""
        if self.target and self.kind == "evaluator":
            return dict(given)
        out = with_defaults(self.obj, given)
        for key in self.declared("data_defaults") if self.kind == "evaluator" else ():
            if written is not None and key not in written:
                out.pop(key, None)
        return out
