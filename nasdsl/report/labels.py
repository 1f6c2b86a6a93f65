"""Short names for configurations in legends: only the keys whose values differ.

A grid's configuration keys run to 90 characters
(`regularized_evolution[population=100,sample=25,mutation.add_node=0.05,…]`); a legend needs
`P100 S25 node .05 conn .15`. Keys every configuration shares say nothing and are left out.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

ABBREVIATIONS = {"population": "P", "sample": "S", "add_node": "node",
                 "add_connection": "conn", "target_network": "target", "network": "net",
                 "generations": "gen", "redraw": "redraw"}
"""Short forms of common keys; a one-letter form is written against its value (`P100`)."""


def short_value(value: Any) -> str:
    """A value as a legend spells it: `.05` for 0.05, `false`, `lstm(units = 64)`."""
    from nasdsl.plan import Call, format_value

    if isinstance(value, dict) and "call" in value:
        value = Call(value["call"], value.get("args") or {})
    if isinstance(value, bool):
        return format_value(value)
    if isinstance(value, float):
        text = f"{value:g}"
        return text[1:] if text.startswith("0.") else text
    return format_value(value)


def _short_key(key: str) -> str:
    last = key.rsplit(".", 1)[-1]
    return ABBREVIATIONS.get(last, last)


def short_labels(entries: Sequence[tuple[str, str, Mapping[str, Any]]]) -> dict[str, str]:
    """`{config: label}` from `(config, group, swept)` triples; `group` (the search label, or
    experiment and search label when several journals are compared) is named only when the
    entries have more than one. Labels fall back to the configuration key when two would be
    equal."""
    groups = list(dict.fromkeys(group for _, group, _ in entries))
    keys: list[str] = []
    for _, _, swept in entries:
        keys += [k for k in swept if k not in keys]
    differing = [k for k in keys
                 if len({repr(swept.get(k, None)) for _, _, swept in entries}) > 1]
    labels = {}
    for config, group, swept in entries:
        parts = [group] if len(groups) > 1 else []
        for key in differing:
            if key not in swept:
                continue
            name = _short_key(key)
            value = short_value(swept[key])
            parts.append(f"{name}{value}" if len(name) == 1 else f"{name} {value}")
        labels[config] = " ".join(parts) or group or config
    if len(set(labels.values())) < len(labels):
        return {config: config for config, _, _ in entries}
    return labels
