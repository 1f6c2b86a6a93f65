"""Value types of settings: each checks one AST value and turns it into a plain Python value.

A type knows how to describe itself ("an integer in [1, 100000]"), so every refusal reads
"`population` must be an integer in [1, 100000], got 0.5" and points at the value.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Iterable, Mapping, Protocol, Sequence

from nasdsl.plan import Budget, Call
from nasdsl.settings import values as ast

REQUIRED: Any = type("Required", (), {"__repr__": lambda self: "required"})()
"""Default of a parameter that has none: the user must set it."""


class Located(Protocol):
    """Makes errors that point into the file being read (the language's `Source`)."""

    def error(self, message: str, pos: ast.Pos | None, *, expected: Sequence[str] = (),
              accepted: Sequence[str] = (), suggestion: str | None = None) -> Exception: ...

    def unknown(self, what: str, name: str, pos: ast.Pos | None, accepted: Iterable[str],
                context: str = "") -> Exception: ...


@dataclass(frozen=True)
class Context:
    """What a type needs to raise a good error: the source and the setting's name."""

    source: Located
    key: str


def show(node: ast.Value) -> str:
    """The value as written, for 'got …' in messages."""
    if isinstance(node, ast.Int):
        return str(node.value)
    if isinstance(node, ast.Float):
        return node.text or repr(node.value)
    if isinstance(node, ast.Str):
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, ast.Bool):
        return "true" if node.value else "false"
    if isinstance(node, ast.Name):
        return node.value
    if isinstance(node, ast.Range):
        return f"{node.lo}..{node.hi}"
    if isinstance(node, ast.Quantity):
        return f"{node.amount} {node.unit}"
    if isinstance(node, ast.ListValue):
        return "a list"
    if isinstance(node, ast.TupleValue):
        return "a tuple"
    if isinstance(node, ast.CallValue):
        return f"{node.name}(…)" if node.args else node.name
    return type(node).__name__


class ValueType(ABC):
    """Checks and converts one value; `describe` completes "must be …"."""

    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def convert(self, node: ast.Value, ctx: Context) -> Any: ...

    def fail(self, node: ast.Value, ctx: Context) -> Exception:
        if isinstance(node, ast.Quantity):
            return ctx.source.error(
                f"a quantity such as `{show(node)}` is only allowed for `budget`; "
                f"`{ctx.key}` must be {self.describe()}", node.pos)
        return ctx.source.error(f"`{ctx.key}` must be {self.describe()}, got {show(node)}",
                                node.pos)

    def spell(self, value: Any) -> str:
        """How a default of this type is written in `.nas` (for listings)."""
        from nasdsl.plan import format_value

        return format_value(value)


def _bounds(lo: float | None, hi: float | None, lo_open: bool = False,
            hi_open: bool = False) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if lo_open else '≥'} {lo}")
    if hi is not None:
        parts.append(f"{'<' if hi_open else '≤'} {hi}")
    return " and ".join(parts)


@dataclass(frozen=True)
class IntType(ValueType):
    lo: int | None = None
    hi: int | None = None

    def describe(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"an integer in [{self.lo}, {self.hi}]"
        bound = _bounds(self.lo, self.hi)
        return f"an integer {bound}" if bound else "an integer"

    def convert(self, node, ctx):
        if not isinstance(node, ast.Int):
            raise self.fail(node, ctx)
        if (self.lo is not None and node.value < self.lo) or (
                self.hi is not None and node.value > self.hi):
            raise self.fail(node, ctx)
        return node.value


@dataclass(frozen=True)
class NumberType(ValueType):
    """A float (integers accepted and turned into floats)."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def describe(self) -> str:
        if self.lo is not None and self.hi is not None:
            left = "(" if self.lo_open else "["
            right = ")" if self.hi_open else "]"
            return f"a number in {left}{self.lo}, {self.hi}{right}"
        bound = _bounds(self.lo, self.hi, self.lo_open, self.hi_open)
        return f"a number {bound}" if bound else "a number"

    def convert(self, node, ctx):
        if not isinstance(node, (ast.Int, ast.Float)):
            raise self.fail(node, ctx)
        value = float(node.value)
        if self.lo is not None and (value < self.lo or (self.lo_open and value == self.lo)):
            raise self.fail(node, ctx)
        if self.hi is not None and (value > self.hi or (self.hi_open and value == self.hi)):
            raise self.fail(node, ctx)
        return value


RATE = NumberType(0.0, 1.0)


@dataclass(frozen=True)
class BoolType(ValueType):
    def describe(self) -> str:
        return "`true` or `false`"

    def convert(self, node, ctx):
        if not isinstance(node, ast.Bool):
            raise self.fail(node, ctx)
        return node.value


@dataclass(frozen=True)
class StringType(ValueType):
    """A quoted string; `check` may refuse some contents with a reason."""

    what: str = "a string"
    check: Callable[[str], str | None] | None = None

    def describe(self) -> str:
        return self.what

    def convert(self, node, ctx):
        if not isinstance(node, ast.Str):
            raise self.fail(node, ctx)
        if self.check is not None:
            problem = self.check(node.value)
            if problem:
                raise ctx.source.error(f"`{ctx.key}`: {problem}", node.pos)
        return node.value


@dataclass(frozen=True)
class NameType(ValueType):
    """One of a set of names (`conv3x3`, `dag`); a quoted string is accepted too."""

    choices: Sequence[str]
    what: str = "name"

    def describe(self) -> str:
        return "one of " + ", ".join(f"`{c}`" for c in self.choices)

    def convert(self, node, ctx):
        if not isinstance(node, (ast.Name, ast.Str)):
            raise self.fail(node, ctx)
        if node.value not in self.choices:
            raise ctx.source.unknown(self.what, node.value, node.pos, self.choices,
                                     f"for `{ctx.key}`")
        return node.value


@dataclass(frozen=True)
class ChoiceType(ValueType):
    """One of a few integers (NAS-Bench-101's `epochs`)."""

    choices: Sequence[int]

    def describe(self) -> str:
        return "one of " + ", ".join(str(c) for c in self.choices)

    def convert(self, node, ctx):
        if not isinstance(node, ast.Int) or node.value not in self.choices:
            raise self.fail(node, ctx)
        return node.value


@dataclass(frozen=True)
class ListType(ValueType):
    """A non-empty list of items of one type (without repeats when `unique`), of at most
    `most` items when it is given."""

    item: ValueType
    what: str = "a list"
    unique: bool = True
    most: int | None = None

    def describe(self) -> str:
        bound = f" of at most {self.most} items" if self.most is not None else ""
        return f"a non-empty {self.what}{bound}"

    def convert(self, node, ctx):
        if not isinstance(node, ast.ListValue) or not node.items:
            raise self.fail(node, ctx)
        if self.most is not None and len(node.items) > self.most:
            raise ctx.source.error(f"`{ctx.key}` must be {self.describe()}, got "
                                   f"{len(node.items)} items", node.pos)
        out = []
        for item in node.items:
            value = self.item.convert(item, ctx)
            if self.unique and value in out:
                raise ctx.source.error(f"`{ctx.key}` lists {show(item)} twice", item.pos)
            out.append(value)
        return out


@dataclass(frozen=True)
class LayersType(ValueType):
    """Global space depth: an integer in 1..`MAX_LAYERS` or a range `lo..hi` (compiled to a
    `(lo, hi)` tuple)."""

    MAX_LAYERS: ClassVar[int] = 1000

    def describe(self) -> str:
        return f"an integer in [1, {self.MAX_LAYERS}] or a range such as `5..9`"

    def convert(self, node, ctx):
        if isinstance(node, ast.Int):
            if not 1 <= node.value <= self.MAX_LAYERS:
                raise self.fail(node, ctx)
            return node.value
        if isinstance(node, ast.Range):
            if node.lo < 1 or node.hi < node.lo or node.hi > self.MAX_LAYERS:
                raise ctx.source.error(
                    f"`{ctx.key}` range must go from at least 1 up to at least its start and "
                    f"at most {self.MAX_LAYERS}, got {show(node)}", node.pos)
            return (node.lo, node.hi)
        raise self.fail(node, ctx)


_UNITS = {
    "evaluations": ("evaluations", 1), "evals": ("evaluations", 1),
    "seconds": ("seconds", 1), "s": ("seconds", 1),
    "minutes": ("seconds", 60), "min": ("seconds", 60),
    "hours": ("seconds", 3600), "h": ("seconds", 3600),
    "epochs": ("epochs", 1), "epoch": ("epochs", 1),
}
BUDGET_UNITS = tuple(_UNITS)


@dataclass(frozen=True)
class BudgetType(ValueType):
    """`1500 evaluations` (a whole count ≥ 1, exponent allowed: `1e4 evaluations`) or a time
    (> 0), minutes and hours as seconds."""

    def describe(self) -> str:
        return "a quantity such as `1500 evaluations` or `2 hours`"

    def convert(self, node, ctx):
        if isinstance(node, (ast.Int, ast.Float)):
            raise ctx.source.error(
                f"`{ctx.key}` needs a unit: `{show(node)} evaluations` or `{show(node)} seconds`",
                node.pos)
        if not isinstance(node, ast.Quantity):
            raise self.fail(node, ctx)
        if node.unit not in _UNITS:
            raise ctx.source.unknown("unit", node.unit, node.unit_pos, BUDGET_UNITS)
        unit, factor = _UNITS[node.unit]
        if unit in ("evaluations", "epochs") and not float(node.amount).is_integer():
            raise ctx.source.error(f"`{ctx.key}` must be a whole number of {unit}, "
                                   f"got {show(node)}", node.pos)
        if node.amount <= 0:
            raise ctx.source.error(f"`{ctx.key}` must be more than 0, got {show(node)}",
                                   node.pos)
        amount = node.amount * factor
        if isinstance(amount, float) and not math.isfinite(amount):
            raise ctx.source.error(f"`{ctx.key}` is too large, got {show(node)}", node.pos)
        if unit in ("evaluations", "epochs"):
            amount = int(amount)
        return Budget(amount, unit)

    def spell(self, value):
        return str(value)


@dataclass(frozen=True)
class Param:
    """One setting or call argument: name, type, default (REQUIRED if none), meaning.

    `fill` False leaves an unwritten setting out of the compiled settings, so the component
    applies its own default (pygmo's constructor keywords: pygmo's defaults stay pygmo's).
    """

    name: str
    type: ValueType
    default: Any = REQUIRED
    doc: str = ""
    fill: bool = True


@dataclass(frozen=True)
class CallType(ValueType):
    """A call among `options` (name -> its parameters, in positional order).

    A bare name is the call with no arguments. Missing arguments take their defaults.
    """

    options: Mapping[str, Sequence[Param]]
    what: str = "call"

    def describe(self) -> str:
        return " or ".join(f"`{n}(…)`" for n in self.options)

    def convert(self, node, ctx):
        if isinstance(node, ast.Name):
            node = ast.CallValue(node.value, (), node.pos, parens=False)
        if not isinstance(node, ast.CallValue):
            raise self.fail(node, ctx)
        if node.name not in self.options:
            raise ctx.source.unknown(self.what, node.name, node.pos, self.options,
                                     f"for `{ctx.key}`")
        params = {p.name: p for p in self.options[node.name]}
        order = list(params)
        given: dict[str, Any] = {}
        seen_keyword = False
        for i, arg in enumerate(node.args):
            _refuse_nested_sweep(arg, ctx)
            if arg.key is None:
                if seen_keyword:
                    raise ctx.source.error("a positional argument cannot follow a keyword one",
                                           arg.pos)
                if i >= len(order):
                    raise ctx.source.error(
                        f"`{node.name}` takes at most {len(order)} argument"
                        f"{'s' if len(order) != 1 else ''}", arg.pos)
                name = order[i]
            else:
                seen_keyword = True
                name = arg.key
                if name not in params:
                    raise ctx.source.unknown("argument", name, arg.pos, order,
                                             f"of `{node.name}`")
            if name in given:
                raise ctx.source.error(f"`{node.name}` gets `{name}` twice", arg.pos)
            sub = Context(ctx.source, f"{ctx.key}.{name}" if ctx.key else name)
            given[name] = params[name].type.convert(arg.value, sub)
        args = {}
        for name, param in params.items():
            if name in given:
                args[name] = given[name]
            elif param.default is REQUIRED:
                raise ctx.source.error(f"`{node.name}` needs `{name}`", node.pos)
            else:
                args[name] = param.default
        return Call(node.name, args)


@dataclass(frozen=True)
class OneOf(ValueType):
    """The first alternative whose kind of value matches (number, name, call)."""

    alternatives: Sequence[ValueType]

    def describe(self) -> str:
        return " or ".join(t.describe() for t in self.alternatives)

    def convert(self, node, ctx):
        for alt in self.alternatives:
            if _accepts_shape(alt, node):
                return alt.convert(node, ctx)
        raise self.fail(node, ctx)


def _refuse_nested_sweep(arg: ast.Arg, ctx: Context) -> None:
    if arg.swept:
        raise ctx.source.error("a sweep inside a call is allowed only in the call a key is "
                               "set to (`key = call(arg in [...])`)", arg.pos)


def _accepts_shape(kind: ValueType, node: ast.Value) -> bool:
    if isinstance(kind, IntType):
        return isinstance(node, ast.Int)
    if isinstance(kind, NumberType):
        return isinstance(node, (ast.Int, ast.Float))
    if isinstance(kind, CallType):
        return isinstance(node, (ast.CallValue, ast.Name)) and (
            isinstance(node, ast.CallValue) or node.value in kind.options)
    if isinstance(kind, NameType):
        return isinstance(node, (ast.Name, ast.Str))
    return True


@dataclass(frozen=True)
class AnyType(ValueType):
    """Any value, as plain Python (for a Python evaluator's keyword arguments)."""

    def describe(self) -> str:
        return "a value"

    def convert(self, node, ctx):
        return plain(node, ctx)


def plain(node: ast.Value, ctx: Context) -> Any:
    """A value with no schema: numbers, strings, names (as str), lists, tuples, ranges, calls."""
    if isinstance(node, (ast.Int, ast.Float, ast.Str, ast.Bool, ast.Name)):
        return node.value
    if isinstance(node, ast.ListValue):
        return [plain(i, ctx) for i in node.items]
    if isinstance(node, ast.TupleValue):
        return tuple(plain(i, ctx) for i in node.items)
    if isinstance(node, ast.Range):
        return (node.lo, node.hi)
    if isinstance(node, ast.CallValue):
        args: dict[str, Any] = {}
        for i, arg in enumerate(node.args):
            _refuse_nested_sweep(arg, ctx)
            key = arg.key if arg.key is not None else f"_{i}"
            if key in args:
                raise ctx.source.error(f"`{node.name}` gets `{key}` twice", arg.pos)
            args[key] = plain(arg.value, ctx)
        return Call(node.name, args)
    raise AnyType().fail(node, ctx)


__all__ = [
    "REQUIRED", "Context", "ValueType", "IntType", "NumberType", "RATE", "BoolType",
    "StringType", "NameType", "ChoiceType", "ListType", "LayersType", "BudgetType",
    "BUDGET_UNITS", "Param", "CallType", "OneOf", "AnyType", "plain", "show",
]
