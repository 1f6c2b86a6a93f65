"""`nasdsl list`: what the language offers (algorithms, ops, evaluators, metrics), with each
setting's default and bound, read from the components' own declarations."""
from __future__ import annotations

import shutil
import sys
import textwrap
from typing import Any, Iterable


def list_names(what: str) -> int:
    """Print every algorithm, op, evaluator or metric with its settings and defaults."""
    lines = {"algorithms": _algorithm_lines, "ops": _op_lines,
             "evaluators": _evaluator_lines, "metrics": _metric_lines}.get(what)
    if lines is None:
        print(f"error: nothing called {what!r} to list (algorithms, ops, evaluators, metrics)",
              file=sys.stderr)
        return 2
    print("\n".join(lines()))
    return 0


def _param_lines(params: Iterable[Any], indent: str = "    ") -> list[str]:
    from nasdsl.settings import REQUIRED

    out = []
    for p in params:
        default = "required" if p.default is REQUIRED else (
            "none" if p.default is None else p.type.spell(p.default))
        most = _upper_bound(p.type)
        bound = f"at most {most:,}" if most is not None else ""
        doc = "; ".join(part for part in (p.doc, bound) if part)
        out.extend(commented(f"{indent}{p.name} = {default}", doc))
    return out


def _upper_bound(kind: Any) -> int | None:
    """The declared bound of an integer setting (or of each integer of a list), if any."""
    from nasdsl.settings import IntType, ListType

    if isinstance(kind, ListType):
        kind = kind.item
    return kind.hi if isinstance(kind, IntType) else None


def commented(head: str, comment: str, width: int | None = None) -> list[str]:
    """`head  # comment` whole, wrapped to `width` (the terminal's, 80 off a terminal or as
    `COLUMNS` says): the comment goes on as comment lines under its `#`, or, after a long
    head, indented under the head."""
    if not comment:
        return [head]
    width = width or shutil.get_terminal_size().columns
    first = f"{head}  # "
    if len(first) <= width // 2:
        more = " " * (len(first) - 2) + "# "
    else:
        more = " " * (len(head) - len(head.lstrip()) + 4) + "# "
    width = max(width, len(more) + 20)
    lines = [] if len(first) + len(comment.split()[0]) <= width else [head]
    return lines + textwrap.wrap(comment, width, initial_indent=more if lines else first,
                                 subsequent_indent=more, break_long_words=False,
                                 break_on_hyphens=False)


def _component_lines(kind: str) -> list[str]:
    from nasdsl.registry import listed
    from nasdsl.settings import summary_of

    lines = []
    for component in listed(kind):
        lines.extend(commented(component.name, summary_of(component.obj)))
        for line in component.listing():  # more a component wants to say
            text = line.removeprefix("# ")
            lines.extend(commented("  ", text) if text != line else [f"    {line}"])
        lines.extend(_param_lines((component.parameters or {}).values()) or
                     ["    (no settings)"])
    return lines


def _algorithm_lines() -> list[str]:
    return _component_lines("optimizer") + commented(
        '"package.module:Class"', "any search class; settings are its declared `parameters` "
        "or, when it declares none, its constructor's keyword arguments") + [
        "every search also takes `budget`"]


def _op_lines() -> list[str]:
    from nasdsl.registry import listed

    lines = []
    for space in listed("space"):
        ops = (space.parameters or {}).get("ops")
        choices = getattr(getattr(ops, "type", None), "item", None)
        if choices is not None and hasattr(choices, "choices"):
            lines.append(f"space {space.name}: {', '.join(choices.choices)}")
    for evaluator in listed("evaluator"):
        if evaluator.ops:
            lines.append(f"evaluate {evaluator.name} takes: {', '.join(evaluator.ops)}")
    return lines


def _evaluator_lines() -> list[str]:
    return _component_lines("evaluator") + commented(
        '"package.module:name"', "any evaluator class or factory; settings are its keyword "
        "arguments")


def _metric_lines() -> list[str]:
    from nasdsl.evaluators.base import accuracies
    from nasdsl.registry import listed

    lines = []
    for evaluator in listed("evaluator"):
        metrics = evaluator.offers
        if metrics:
            lines.append(f"{evaluator.name}: {', '.join(metrics)}")
            lines.append(f"    fitness may be: {', '.join(accuracies(metrics))}")
    return lines
