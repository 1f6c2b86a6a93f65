"""Search spaces: the NAS-Bench-101 cell space and the global (stacked layers) space."""
from __future__ import annotations

from nasdsl.plan import SpaceSpec
from nasdsl.spaces.base import Space


def make_space(spec: SpaceSpec) -> Space:
    if spec.kind == "cell":
        from nasdsl.spaces.cell import CellSpace

        return CellSpace(**dict(spec.settings))
    if spec.kind == "global":
        from nasdsl.spaces.macro import GlobalSpace

        return GlobalSpace(**dict(spec.settings))
    raise ValueError(f"unknown space kind {spec.kind!r}")


def __getattr__(name: str):
    if name == "CellSpace":
        from nasdsl.spaces.cell import CellSpace

        return CellSpace
    if name == "GlobalSpace":
        from nasdsl.spaces.macro import GlobalSpace

        return GlobalSpace
    raise AttributeError(name)


__all__ = ["Space", "make_space", "CellSpace", "GlobalSpace"]
