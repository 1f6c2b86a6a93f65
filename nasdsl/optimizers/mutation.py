"""The mutation setting of evolutionary searches, in one normal form.

The language compiles `mutation = grow(add_node = 0.1)` to a `Call`; Python users may also
write the bare name (`"flip"`). Spaces only ever see a `Call`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasdsl.plan import Call
from nasdsl.settings import RATE, BoolType, CallType, Param


@dataclass(frozen=True)
class MutationType(CallType):
    """A mutation call; grow's `redraw`, when the file does not write it, is left out of the
    compiled call, so configurations written before `redraw` existed keep their keys and
    fingerprints (a swept or written `redraw` stays)."""

    def convert(self, node, ctx):
        call = super().convert(node, ctx)
        written = any(arg.key == "redraw" for arg in getattr(node, "args", ())) or \
            len(getattr(node, "args", ())) > 2
        if not written and call.args.get("redraw") is True:
            call = Call(call.name, {k: v for k, v in call.args.items() if k != "redraw"})
        return call


MUTATION_TYPE = MutationType({
    "grow": (Param("add_node", RATE, 0.1), Param("add_connection", RATE, 0.1),
             Param("redraw", BoolType(), True,
                   "false: the study's loop, each rate drawn once, copies and oversized "
                   "children kept")),
    "flip": (Param("rate", RATE, 1.0),),
}, "mutation")
MUTATIONS = tuple(MUTATION_TYPE.options)
DEFAULT_MUTATION = Call("grow", {"add_node": 0.1, "add_connection": 0.1})
MUTATION = Param("mutation", MUTATION_TYPE, DEFAULT_MUTATION,
                 "grow(add_node, add_connection, redraw) or flip(rate)")


def as_mutation(value: Any) -> Call:
    """A `Call` naming a known mutation, from a `Call` or a bare name."""
    if value is None:
        return DEFAULT_MUTATION
    if isinstance(value, str):
        value = Call(value, {})
    if not isinstance(value, Call):
        raise ValueError(f"mutation must be a name or a call, not {value!r}")
    if value.name not in MUTATIONS:
        raise ValueError(f"unknown mutation {value.name!r}; accepted: {', '.join(MUTATIONS)}")
    return value
