"""Settings read from a constructor's signature, for a user's class that declares no
`parameters`: each keyword argument is a setting, its default the setting's default (none:
required), its annotation the setting's type (`int`, `float`, `bool`, `str`, a list of one
of them, any of them `| None`); with no annotation, the type of its default; else any value.
A default the language could not write (an object) is left to the constructor.
"""
from __future__ import annotations

import inspect
import types
import typing
from typing import Any

from nasdsl.settings.types import (REQUIRED, AnyType, BoolType, IntType, ListType, NumberType,
                                   Param, StringType, ValueType)

_SIMPLE: dict[Any, ValueType] = {bool: BoolType(), int: IntType(), float: NumberType(),
                                 str: StringType()}
_NAMED = {"bool": bool, "int": int, "float": float, "str": str}
_LISTS = ("list[", "List[", "Sequence[", "typing.List[", "typing.Sequence[")


def signature_parameters(component: Any) -> dict[str, Param]:
    """The keyword arguments of `component(space, …)` or `component(…)` as settings (a first
    argument named `space` is the space the runner passes, not a setting)."""
    signature = _signature(component)
    return {} if signature is None else _parameters(signature)


def closed_signature_parameters(component: Any) -> dict[str, Param] | None:
    """As `signature_parameters`, or None when the signature cannot be read or takes any
    keyword (`**kwargs`): then no key can be refused."""
    signature = _signature(component)
    if signature is None or any(p.kind == p.VAR_KEYWORD
                                for p in signature.parameters.values()):
        return None
    return _parameters(signature)


def _signature(component: Any) -> inspect.Signature | None:
    try:
        try:
            return inspect.signature(component, eval_str=True)
        except Exception:  # an annotation naming what the module does not define at run time
            return inspect.signature(component)
    except (TypeError, ValueError):
        return None


def _parameters(signature: inspect.Signature) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for i, p in enumerate(signature.parameters.values()):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY) or (
                i == 0 and p.name == "space"):
            continue
        default = REQUIRED if p.default is p.empty else p.default
        out[p.name] = Param(p.name, _type_of(p.annotation, p.default), default,
                            "from the constructor's signature", fill=_plain(p.default))
    return out


def _plain(value: Any) -> bool:
    """Whether a default is a value the language could write (it is then shown and recorded
    in the plan as the setting's value; any other default stays the constructor's own)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, (list, tuple)) and all(_plain(v) for v in value)


def _type_of(annotation: Any, default: Any) -> ValueType:
    if annotation is inspect.Parameter.empty:
        return _SIMPLE.get(type(default), AnyType())
    if isinstance(annotation, str):
        annotation = _from_text(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _type_of(rest[0], None) if len(rest) == 1 else AnyType()
    if typing.get_origin(annotation) in (list, typing.get_origin(typing.Sequence)):
        item = typing.get_args(annotation)
        if len(item) == 1 and item[0] in _SIMPLE:
            return ListType(_SIMPLE[item[0]], unique=False)
        return AnyType()
    return _SIMPLE.get(annotation, AnyType())


def _from_text(text: str) -> Any:
    """An annotation left as text (`"int | None"`, `"list[float]"`) as the type it names, or
    `object` when it is not one of the simple ones."""
    text = text.replace(" ", "")
    if text.startswith("Optional[") and text.endswith("]"):
        text = text[len("Optional["):-1]
    parts = [part for part in text.split("|") if part != "None"]
    if len(parts) != 1:
        return object
    part = parts[0]
    for prefix in _LISTS:
        if part.startswith(prefix) and part.endswith("]"):
            item = _NAMED.get(part[len(prefix):-1])
            return list[item] if item is not None else object  # type: ignore[index]
    return _NAMED.get(part, object)
