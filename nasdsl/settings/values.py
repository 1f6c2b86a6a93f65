"""Values as a `.nas` file writes them: numbers, strings, names, lists, ranges, quantities, calls.

Every node carries the 1-based line and column of its first character, so a setting's type
can point at the value it refuses. The language's syntax tree (`nasdsl.dsl.ast`) is built of
these plus statements and blocks; components never see them, only the plain values their
settings convert them to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Pos:
    """1-based line and column of a node's first character."""

    line: int
    column: int


@dataclass(frozen=True)
class Int:
    value: int
    pos: Pos


@dataclass(frozen=True)
class Float:
    value: float
    pos: Pos
    text: str = ""


@dataclass(frozen=True)
class Str:
    value: str
    pos: Pos


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: Pos


@dataclass(frozen=True)
class Name:
    """A bare (possibly dotted) name such as `conv3x3` or `pygmo.gaco`."""

    value: str
    pos: Pos


@dataclass(frozen=True)
class ListValue:
    items: tuple["Value", ...]
    pos: Pos


@dataclass(frozen=True)
class TupleValue:
    items: tuple["Value", ...]
    pos: Pos


@dataclass(frozen=True)
class Range:
    """`lo..hi`, both ends included."""

    lo: int
    hi: int
    pos: Pos


@dataclass(frozen=True)
class Quantity:
    """`1500 evaluations`: a number and the unit written after it (checked later)."""

    amount: float
    unit: str
    pos: Pos
    unit_pos: Pos
    integral: bool = True


@dataclass(frozen=True)
class Arg:
    """One call argument: `key = value`, a positional value (key None), or a sweep."""

    key: str | None
    value: "Value"
    pos: Pos
    swept: bool = False


@dataclass(frozen=True)
class CallValue:
    name: str
    args: tuple[Arg, ...]
    pos: Pos
    parens: bool = True


Value = Union[Int, Float, Str, Bool, Name, ListValue, TupleValue, Range, Quantity, CallValue]


