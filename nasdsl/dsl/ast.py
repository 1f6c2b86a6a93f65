"""Typed syntax of a `.nas` file: what was written, where, and nothing more.

The transformer builds these from Lark's tree; validation and compilation read only these.
Every node carries the 1-based line and column of its first character, so any refusal can
point at the token that caused it. Nothing here knows which keys or blocks exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from nasdsl.settings.values import (  # noqa: F401  (the tree's leaves)
    Arg, Bool, CallValue, Float, Int, ListValue, Name, Pos, Quantity, Range, Str, TupleValue,
    Value,
)

__all__ = ["Arg", "Block", "Bool", "CallValue", "Document", "Float", "Int", "Key", "ListValue",
           "Name", "Pos", "Quantity", "Range", "Setting", "Statement", "Str", "Sweep",
           "TupleValue", "Value", "ZippedSweep"]


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
