"""The one registry of what the language can name: optimizers, evaluators, spaces.

A component is one class in one module. It declares its settings beside its code
(`parameters`: `Param(name, type, default, help)`) and its cross-checks as a classmethod
`validate(review)`; the language's checks, `nasdsl list` and the runner all read them here.

**A built-in component registers with one line in `BUILT_IN`**: its name in the language and
`"module:Class"`. Nothing else in nasdsl names it. A name ending in `.*` is a family whose
members the loaded object lists (`names()`) and declares (`member(name)`): pygmo's algorithms.

An installed package adds names through the entry-point groups `nasdsl.optimizers`,
`nasdsl.evaluators` and `nasdsl.spaces` (`name = package.module:Class`), and a file may name a
class directly: `search "package.module:Class" { … }`. A built-in name wins over an entry point
of the same name. Modules are imported when their component is asked for, so a component
whose module cannot be imported costs nothing until a file names it; a component module
imports heavy dependencies (TensorFlow, …) inside its methods, so that reading its settings
stays cheap.

`resolve` gives a name's record (`nasdsl.component.Component`): the object with every
optional declaration and hook filled in. The language resolves each name of a file once and
keeps the record with the plan (`space_of`, `evaluator_of`, `optimizer_of` read it back).

How the runner builds each kind: an optimizer `Class(space, **settings)`, an evaluator
`Class(**settings)`, a space `Class(**settings)`.
"""
from __future__ import annotations

import re
from importlib import import_module, metadata
from typing import Any, Iterable

from nasdsl.component import Component
from nasdsl.errors import NasdslError
from nasdsl.plan import EvaluatorSpec, SearchConfig, SpaceSpec

GROUPS = {"optimizer": "nasdsl.optimizers", "evaluator": "nasdsl.evaluators",
          "space": "nasdsl.spaces"}
"""Entry-point group of each kind."""

BUILT_IN: dict[str, dict[str, str]] = {
    "optimizer": {
        "random": "nasdsl.optimizers.random_search:RandomSearch",
        "regularized_evolution": "nasdsl.optimizers.evolution:RegularizedEvolution",
        "dqn": "nasdsl.optimizers.dqn:DQNSearch",
        "local_search": "nasdsl.optimizers.local_search:LocalSearch",
        "bananas": "nasdsl.optimizers.bananas:Bananas",
        "ppo": "nasdsl.optimizers.ppo:PPOSearch",
        "successive_halving": "nasdsl.optimizers.successive_halving:SuccessiveHalving",
        "hyperband": "nasdsl.optimizers.hyperband:Hyperband",
        "asha": "nasdsl.optimizers.asha:ASHA",
        "pygmo.*": "nasdsl.optimizers.pygmo_catalog:PYGMO",
    },
    "evaluator": {
        "nasbench101": "nasdsl.evaluators.nasbench101:NASBench101Evaluator",
        "keras": "nasdsl.evaluators.keras_training:KerasEvaluator",
    },
    "space": {
        "cell": "nasdsl.spaces.cell_space:CellSpace",
        "global": "nasdsl.spaces.global_space:GlobalSpace",
    },
}

TARGET = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_.]*")
"""`package.module:name`, how a file names a Python object."""


WORDS = {"optimizer": "algorithm", "evaluator": "evaluator", "space": "space kind"}
"""How the language calls each kind in messages."""


class ComponentError(NasdslError):
    """A name the registry cannot give: unknown (with the accepted names), not importable
    here, or refused by its family."""

    def __init__(self, message: str, accepted: Iterable[str] = (), unknown: bool = False):
        super().__init__(message)
        self.message = message
        self.accepted = tuple(accepted)
        self.unknown = unknown


def load_target(target: str) -> Any:
    """The object `package.module:name` names (a dotted name after `:` walks attributes)."""
    if not TARGET.fullmatch(target):
        raise ComponentError(f"a Python component is named \"package.module:Class\", "
                             f"got {target!r}")
    module_name, _, attribute = target.partition(":")
    try:
        obj: Any = import_module(module_name)
    except Exception as e:  # the user's module may fail in any way while importing
        raise ComponentError(f"cannot import {module_name!r} for {target!r}: "
                             f"{type(e).__name__}: {e}") from e
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ComponentError(f"module {module_name!r} has no {attribute!r}") from None
    return obj


def _entry_points(kind: str) -> dict[str, metadata.EntryPoint]:
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=GROUPS[kind]):
        found.setdefault(ep.name, ep)
    return found


def _family_of(kind: str, name: str) -> tuple[str, str] | None:
    for key, target in BUILT_IN[kind].items():
        if key.endswith(".*") and name.startswith(key[:-1]):
            return key[:-1], target
    return None


def resolve(kind: str, name: str) -> Component:
    """The record of the component `name` names (`nasdsl.component.Component`): a built-in,
    a family member, a `"module:Class"` target or an installed entry point. Raises
    ComponentError (unknown, not importable, refused)."""
    built_in = BUILT_IN[kind]
    if name in built_in and not name.endswith(".*"):
        return Component(kind, name, _load(kind, name, built_in[name]), built_in=True)
    family = _family_of(kind, name)
    if family is not None:
        prefix, target = family
        member = _load(kind, name, target).member(name[len(prefix):])
        if member is None:
            raise ComponentError(f"unknown {WORDS[kind]} {name!r}", usable(kind), unknown=True)
        return Component(kind, name, member, built_in=True)
    if ":" in name:
        return named_target(kind, name)
    ep = _entry_points(kind).get(name)
    if ep is None:
        raise ComponentError(f"unknown {WORDS[kind]} {name!r}", usable(kind), unknown=True)
    try:
        return Component(kind, name, ep.load())
    except Exception as e:  # an installed plugin may fail in any way while importing
        raise ComponentError(f"{WORDS[kind]} {name!r} (from {ep.value}) cannot be loaded: "
                             f"{type(e).__name__}: {e}") from e


def named_target(kind: str, name: str) -> Component:
    """The record of the object a file names `"package.module:name"` (ComponentError when
    `name` is not written so, or cannot be imported)."""
    return Component(kind, name, load_target(name), target=True)


def lookup(kind: str, name: str) -> Any:
    """The class (or callable) `name` names: `resolve(kind, name).obj`."""
    return resolve(kind, name).obj


def space_of(spec: SpaceSpec) -> Component:
    """The record of a plan's space: the one the language kept with it, else resolved."""
    return spec.component or resolve("space", spec.kind)


def evaluator_of(spec: EvaluatorSpec) -> Component:
    """The record of a plan's evaluator: the one the language kept with it, else resolved."""
    if spec.component is not None:
        return spec.component
    return named_target("evaluator", spec.target) if spec.target is not None else \
        resolve("evaluator", spec.kind)


def optimizer_of(config: SearchConfig) -> Component:
    """The record of a configuration's search: the one the language kept, else resolved."""
    return config.component or resolve("optimizer", config.algorithm)


def built_in(kind: str, name: str) -> Any:
    """The built-in component `name` names, resolved from `BUILT_IN` alone: never a
    `"module:Class"` target, an entry point or a family. What reads results (reports,
    `status`) rebuilds components this way, so that a journal naming any other object makes
    nothing be imported. ComponentError for any other name."""
    target = BUILT_IN[kind].get(name) if not name.endswith(".*") else None
    if target is None:
        raise ComponentError(f"{WORDS[kind]} {name!r} is not one of nasdsl's own "
                             f"({', '.join(k for k in BUILT_IN[kind] if not k.endswith('.*'))})",
                             unknown=True)
    return _load(kind, name, target)


def _load(kind: str, name: str, target: str) -> Any:
    try:
        return load_target(target)
    except ComponentError as e:
        raise ComponentError(f"{WORDS[kind]} {name!r} is not available here: {e.message}") from e


def names(kind: str, families: bool = True) -> list[str]:
    """Every name of `kind` the language accepts: built-ins, family members (`pygmo.gaco`;
    the family itself as `pygmo.NAME` when `families` is False) and entry points."""
    out: list[str] = []
    for key, target in BUILT_IN[kind].items():
        if not key.endswith(".*"):
            out.append(key)
        elif not families:
            out.append(key[:-1] + "NAME")
        else:
            try:
                family = load_target(target)
            except ComponentError:
                continue
            out.extend(key[:-1] + member for member in family.names())
    out.extend(n for n in _entry_points(kind) if n not in out)
    return out


def listed(kind: str) -> list[Component]:
    """The record of every component of `kind` that can be loaded here, in `names` order,
    for `nasdsl list`; family members that refuse to work here are left out."""
    out = []
    for name in names(kind):
        try:
            out.append(resolve(kind, name))
        except ComponentError:
            continue
    return out


def usable(kind: str) -> list[str]:
    """The names of `kind` a file may write here: those `resolve` gives (what a refusal of an
    unknown name lists, so it never offers a name that is refused in its turn)."""
    return [component.name for component in listed(kind)]
