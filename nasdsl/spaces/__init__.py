"""Search spaces: the NAS-Bench-101 cell space and the global (stacked layers) space, and any
space an installed package registers (see `nasdsl.registry`)."""
from __future__ import annotations

from typing import Any

from nasdsl.plan import Plan, SpaceSpec
from nasdsl.spaces.base import Space


def make_space(spec: SpaceSpec) -> Space:
    """The space a plan's `space KIND { … }` block declares."""
    from nasdsl.registry import ComponentError, space_of

    try:
        component = space_of(spec)
    except ComponentError as e:
        raise ValueError(str(e)) from e
    return component.obj(**dict(spec.settings))


def plan_spaces(plan: Plan) -> dict[str, Space]:
    """The search spaces of a plan, built, keyed by configuration key."""
    return {c.key: make_space(c.space) for c in plan.configs}


def __getattr__(name: str) -> Any:
    if name == "CellSpace":
        from nasdsl.spaces.cell_space import CellSpace

        return CellSpace
    if name == "GlobalSpace":
        from nasdsl.spaces.global_space import GlobalSpace

        return GlobalSpace
    raise AttributeError(name)


__all__ = ["Space", "make_space", "plan_spaces", "CellSpace", "GlobalSpace"]
