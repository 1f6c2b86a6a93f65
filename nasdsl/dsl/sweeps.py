"""A block's statements as fixed values plus sweep dimensions, and their expansion.

A block reads as a template: every key has one AST value, except that sweeps (`key in […]`,
zipped sweeps, and sweeps inside call arguments) leave holes. A `Dimension` is one sweep
statement: it fills one or more holes with one of its choices. The Cartesian product of a
block's dimensions (and of the dimensions of the blocks that apply) gives the configurations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from nasdsl.dsl import ast
from nasdsl.dsl.diagnostics import Source
from nasdsl.errors import DslError, Refusals

Path = tuple[str, ...]
"""Where a hole is: `(key,)`, or `(key, argument, …)` inside a call's arguments."""


@dataclass(frozen=True)
class Dimension:
    """One sweep statement: the swept names it records and its choices (one value per path)."""

    names: tuple[str, ...]
    paths: tuple[Path, ...]
    choices: tuple[tuple[ast.Value, ...], ...]
    pos: ast.Pos


@dataclass
class Template:
    """A block's keys: fixed values (sweep holes filled later), key positions, dimensions."""

    values: dict[str, ast.Value] = field(default_factory=dict)
    keys: dict[str, ast.Key] = field(default_factory=dict)
    dims: list[Dimension] = field(default_factory=list)
    dropped: bool = False
    """A refused statement was left out (what it would have set may look missing)."""

    def has(self, key: str) -> bool:
        return key in self.keys

    def fill(self, choice: Sequence[int]) -> dict[str, ast.Value]:
        """The concrete values for one choice index per dimension."""
        values = dict(self.values)
        for dim, index in zip(self.dims, choice):
            for path, value in zip(dim.paths, dim.choices[index]):
                if len(path) == 1:
                    values[path[0]] = value
                else:
                    values[path[0]] = _put_arg(values[path[0]], path[1:], value)
        return values


def collect(statements: Sequence[ast.Statement], source: Source, prefix: str,
            allowed: Sequence[str] | None, context: str,
            sweepable: Sequence[str] | None = None,
            errors: Refusals | None = None) -> Template:
    """Read a block's statements into a Template, refusing unknown, repeated or clashing keys.

    `context` completes messages ("in `space cell`"). `prefix` is put before swept names
    ("space.", "" for a search). `allowed` None accepts
    any key. `sweepable` None lets every key be swept. With `errors`, a refused statement is
    recorded there and left out, and the others are still read.
    """
    out = Template()
    for stmt in statements:
        try:
            _read(stmt, out, source, prefix, allowed, context, sweepable)
        except DslError as e:
            if errors is None:
                raise
            errors.append(e)
            out.dropped = True
    return out


def _read(stmt: ast.Statement, out: Template, source: Source, prefix: str,
          allowed: Sequence[str] | None, context: str, sweepable: Sequence[str] | None) -> None:
    """One statement into `out`, all or nothing: a refused statement changes nothing."""
    claimed: dict[str, ast.Key] = {}

    def claim(key: ast.Key) -> None:
        if "." in key.name:
            raise source.error(f"a key has no `.`: `{key.name}`", key.pos)
        if allowed is not None and key.name not in allowed:
            raise source.unknown("key", key.name, key.pos, allowed, context)
        if key.name in out.keys or key.name in claimed:
            first = (out.keys.get(key.name) or claimed[key.name]).pos.line
            raise source.error(f"`{key.name}` is given twice {context} (first on line {first}); "
                               "a key is either set once or swept once", key.pos)
        claimed[key.name] = key

    def may_sweep(key: ast.Key) -> None:
        if sweepable is not None and key.name not in sweepable:
            raise source.error(f"`{key.name}` cannot be swept", key.pos)

    if isinstance(stmt, ast.Setting):
        claim(stmt.key)
        if isinstance(stmt.value, ast.CallValue):
            dims: list[Dimension] = []
            _call_dims(stmt.value, (stmt.key.name,), prefix, source, dims)
            out.dims.extend(dims)
        out.values[stmt.key.name] = stmt.value
    elif isinstance(stmt, ast.Sweep):
        claim(stmt.key)
        may_sweep(stmt.key)
        _non_empty(stmt.values, source)
        out.dims.append(Dimension((prefix + stmt.key.name,), ((stmt.key.name,),),
                                  tuple((v,) for v in stmt.values.items), stmt.key.pos))
    else:  # a zipped sweep
        for key in stmt.keys:
            claim(key)
            may_sweep(key)
        _non_empty(stmt.values, source)
        width = len(stmt.keys)
        choices = []
        for item in stmt.values.items:
            if not isinstance(item, ast.TupleValue) or len(item.items) != width:
                got = (f"{len(item.items)} values" if isinstance(item, ast.TupleValue)
                       else "a single value")
                names = ", ".join(k.name for k in stmt.keys)
                raise source.error(f"each value swept by ({names}) must be a tuple of "
                                   f"{width} values, got {got}", item.pos)
            choices.append(tuple(item.items))
        out.dims.append(Dimension(tuple(prefix + k.name for k in stmt.keys),
                                  tuple((k.name,) for k in stmt.keys), tuple(choices),
                                  stmt.pos))
    out.keys.update(claimed)


def _call_dims(call: ast.CallValue, path: Path, prefix: str, source: Source,
               dims: list[Dimension]) -> None:
    """Sweeps written as call arguments, searched through nested calls."""
    for arg in call.args:
        if arg.key is None:
            continue
        sub = path + (arg.key,)
        if arg.swept:
            values = arg.value
            assert isinstance(values, ast.ListValue)
            _non_empty(values, source)
            dims.append(Dimension((prefix + ".".join(sub),), (sub,),
                                  tuple((v,) for v in values.items), arg.pos))
        elif isinstance(arg.value, ast.CallValue):
            _call_dims(arg.value, sub, prefix, source, dims)


def _put_arg(call: ast.Value, path: Path, value: ast.Value) -> ast.Value:
    """`call` with the (swept) argument at `path` replaced by a plain `value`."""
    assert isinstance(call, ast.CallValue)
    args = []
    for arg in call.args:
        if arg.key == path[0]:
            if len(path) == 1 and arg.swept:
                arg = ast.Arg(arg.key, value, arg.pos)
            elif len(path) > 1:
                arg = ast.Arg(arg.key, _put_arg(arg.value, path[1:], value), arg.pos)
        args.append(arg)
    return ast.CallValue(call.name, tuple(args), call.pos, call.parens)


def _non_empty(values: ast.ListValue, source: Source) -> None:
    if not values.items:
        raise source.error("a sweep needs at least one value", values.pos)
