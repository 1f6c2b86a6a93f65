"""Typed syntax of a `.nas` file: what was written, where, and nothing more.

The transformer builds these from Lark's tree; validation and compilation read only these.
Every node carries the 1-based line and column of its first character, so any refusal can
point at the token that caused it. Nothing here knows which keys or blocks exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Pos:
    """1-based line and column of a node's first character."""

    line: int
    column: int


# --- values ---------------------------------------------------------------------------

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


# --- statements -----------------------------------------------------------------------

@dataclass(frozen=True)
class Key:
    name: str
    pos: Pos


@dataclass(frozen=True)
class Setting:
    """`key = value`."""

    key: Key
    value: Value

    @property
    def pos(self) -> Pos:
        return self.key.pos


@dataclass(frozen=True)
class Sweep:
    """`key in [v1, v2, …]`."""

    key: Key
    values: ListValue

    @property
    def pos(self) -> Pos:
        return self.key.pos


@dataclass(frozen=True)
class ZippedSweep:
    """`(k1, k2) in [(a1, b1), …]`: the keys take their values together."""

    keys: tuple[Key, ...]
    values: ListValue
    pos: Pos


Statement = Union[Setting, Sweep, ZippedSweep]


@dataclass(frozen=True)
class Block:
    """`KIND [HEAD] [as LABEL] [{ … }]`; `body` is None when written without braces."""

    kind: Key
    head: Name | Str | None
    label: Key | None
    body: tuple[Statement, ...] | None
    pos: Pos


@dataclass(frozen=True)
class Document:
    """A whole file: its statements in order, with the text they came from."""

    statements: tuple[Statement | Block, ...]
    file: str
    text: str
