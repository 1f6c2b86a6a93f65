"""NAS-Bench-101's rules, in one place: its ops, its limits, what makes a spec one of its
cells, and the one converter from a descriptor to its (matrix, ops).

The benchmark holds cells of at most 7 vertices and 9 edges *after pruning*, input first and
output last, hidden vertices among conv1x1-bn-relu, conv3x3-bn-relu and maxpool3x3, with the
output reachable from the input (the checks of the official API). The descriptor, the
evaluator, the language (through the evaluator's `validate`), the store and the reports all
read these.
"""
from __future__ import annotations

import heapq
import re
from typing import Any, Sequence

from nasdsl.hashing import checked_rows, hash_rows, label_of, prune_rows
from nasdsl.ops import INPUT, NASBENCH101_OPS, OUTPUT

MAX_VERTICES = 7
MAX_EDGES = 9
OPS: tuple[str, ...] = tuple(NASBENCH101_OPS)
"""The hidden-vertex ops, as `.nas` names, in NORD's `get_available_ops()` order."""
OP_STRINGS: tuple[str, ...] = tuple(NASBENCH101_OPS.values())
"""The same ops as the benchmark spells them."""

HASH = re.compile(r"^[0-9a-f]{32}$")
"""A cell's module hash (32 hex digits)."""
_OPS = frozenset(OPS) | frozenset(OP_STRINGS)

Outcome = tuple[str | None, str | None]
"""(hash, None) for a cell of the benchmark, (None, reason) otherwise."""


# --- validity ---------------------------------------------------------------------------------

def spec_outcome(matrix: Any, ops: Sequence[str]) -> Outcome:
    """Hash of a spec after pruning, or why it is outside NAS-Bench-101 (a matrix that is
    not a square 0/1 grid, such as one holding NaN, 3-D or ragged, included)."""
    try:
        ops = list(ops)
    except TypeError:
        return None, f"ops must be a list of operation names, got {type(ops).__name__}"
    if not all(isinstance(op, str) for op in ops):
        return None, "ops must be a list of operation names (strings)"
    problem = ops_problem(ops)
    if problem:
        return None, problem
    try:
        rows = checked_rows(matrix)
    except ValueError as e:
        return None, str(e)
    return rows_outcome(rows, ops)


def descriptor_outcome(descriptor: Any) -> Outcome:
    """`spec_outcome` of a descriptor (nasdsl's or NORD's)."""
    try:
        rows, ops = descriptor_to_rows(descriptor)
    except ValueError as e:
        return None, str(e)
    problem = ops_problem(ops)
    if problem:
        return None, problem
    return rows_outcome(rows, ops)


def ops_problem(ops: list[str]) -> str | None:
    """Why these ops cannot be a benchmark cell's (None when they can)."""
    if len(ops) < 2 or ops[0] != INPUT or ops[-1] != OUTPUT:
        return "the first op must be 'input' and the last 'output'"
    for op in ops[1:-1]:
        if op not in _OPS:
            return (f"op {op!r} is not a NAS-Bench-101 operation "
                    "(conv1x1-bn-relu, conv3x3-bn-relu, maxpool3x3)")
    return None


def rows_outcome(rows: list[int], ops: list[str]) -> Outcome:
    """`spec_outcome` of successor bitmasks (`hashing.rows_of`) whose ops are checked."""
    if any(r >> (i + 1) << (i + 1) != r for i, r in enumerate(rows)):
        return None, "matrix must be upper triangular (a DAG in vertex order)"
    if len(rows) != len(ops):
        return None, f"a {len(rows)}-vertex matrix with {len(ops)} ops"
    pruned = prune_rows(rows, len(rows))
    if pruned is None:
        return None, "the cell is disconnected: no path from input to output"
    new_rows, kept = pruned
    if len(kept) > MAX_VERTICES:
        return None, f"{len(kept)} vertices after pruning (NAS-Bench-101 has at most {MAX_VERTICES})"
    edges = sum(r.bit_count() for r in new_rows)
    if edges > MAX_EDGES:
        return None, f"{edges} edges after pruning (NAS-Bench-101 has at most {MAX_EDGES})"
    return hash_rows(new_rows, [label_of(ops[v]) for v in kept]), None


# --- descriptor -> (matrix, ops) ------------------------------------------------------------------

def layer_op(layer: Any) -> str:
    """The benchmark op string of a descriptor layer (`[class_or_op, parameters]`)."""
    op = layer[0] if isinstance(layer, (list, tuple)) else layer
    name = op if isinstance(op, str) else getattr(op, "__name__", str(op))
    return NASBENCH101_OPS.get(name, name)


def descriptor_order(descriptor: Any) -> tuple[list[Any], dict[Any, str]]:
    """The descriptor's layers as the matrix orders them — its input layer first, its output
    layer last, the others in topological order with ties in insertion order — and each
    layer's op string. Works on any object with NORD's `layers` and `connections`.

    Raises ValueError for no layers, a cycle, an edge to an unknown layer, or an edge into
    the input or out of the output."""
    layers = descriptor.layers
    if not layers:
        raise ValueError("the descriptor has no layers")
    ops = {n: layer_op(layer) for n, layer in layers.items()}
    first = _end(descriptor, ops, INPUT, "first_layer", min)
    last = _end(descriptor, ops, OUTPUT, "last_layer", max)
    position = {n: i for i, n in enumerate(layers)}
    succ: dict[Any, list[Any]] = {n: [] for n in layers}
    indegree = dict.fromkeys(layers, 0)
    for src, dsts in descriptor.connections.items():
        for dst in dsts:
            if src not in succ or dst not in succ:
                raise ValueError(f"connection {src!r} -> {dst!r} names an unknown layer")
            succ[src].append(dst)
            indegree[dst] += 1

    def rank(n: Any) -> tuple[int, int]:
        return (0 if n == first else 2 if n == last else 1), position[n]

    ready = [rank(n) + (i,) for i, n in enumerate(layers) if indegree[n] == 0]
    names = list(layers)
    heapq.heapify(ready)
    order: list[Any] = []
    while ready:
        n = names[heapq.heappop(ready)[2]]
        order.append(n)
        for dst in succ[n]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                heapq.heappush(ready, rank(dst) + (position[dst],))
    if len(order) != len(layers):
        raise ValueError("the descriptor's graph has a cycle")
    order = [first] + [n for n in order if n not in (first, last)] + (
        [last] if last != first else [])
    index = {n: i for i, n in enumerate(order)}
    for src, dsts in descriptor.connections.items():
        for dst in dsts:
            if index[src] >= index[dst]:
                raise ValueError(f"connection {src!r} -> {dst!r} goes against the "
                                 "input-to-output order")
    return order, ops


def descriptor_to_matrix(descriptor: Any) -> tuple[list[list[int]], list[str]]:
    """(matrix, ops) with the benchmark's op strings, as NORD's `descriptor_to_matrix`."""
    order, ops = descriptor_order(descriptor)
    index = {n: i for i, n in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for src, dsts in descriptor.connections.items():
        for dst in dsts:
            matrix[index[src]][index[dst]] = 1
    return matrix, [ops[n] for n in order]


def descriptor_to_rows(descriptor: Any) -> tuple[list[int], list[str]]:
    """As `descriptor_to_matrix`, with each row a successor bitmask (`hashing.rows_of`)."""
    order, ops = descriptor_order(descriptor)
    index = {n: i for i, n in enumerate(order)}
    rows = [0] * len(order)
    for src, dsts in descriptor.connections.items():
        i = index[src]
        for dst in dsts:
            rows[i] |= 1 << index[dst]
    return rows, [ops[n] for n in order]


def descriptor_key(descriptor: Any) -> tuple:
    """Content key of a descriptor, for memoizing its hash (descriptors are mutable)."""
    return (tuple((n, layer_op(layer)) for n, layer in descriptor.layers.items()),
            tuple((s, tuple(d)) for s, d in descriptor.connections.items()))


def _end(descriptor: Any, ops: dict[Any, str], op: str, attr: str, fallback: Any) -> Any:
    """The input (or output) layer: the only layer with that op, else the descriptor's
    `first_layer` (`last_layer`), else the first (last) name."""
    names = [n for n, o in ops.items() if o == op]
    if len(names) == 1:
        return names[0]
    named = getattr(descriptor, attr, None)
    if named is not None and named in descriptor.layers:
        return named
    return fallback(descriptor.layers)
