"""A NORD-style descriptor (`layers`, `connections`) as a NAS-Bench-101 (matrix, ops) pair.

Works on any object with NORD's attributes, NORD's own `NeuralDescriptor` included. The
input layer goes first and the output layer last; the others follow a topological order, so
the matrix is upper triangular whenever the graph is acyclic. Which topological order is
used does not matter: the benchmark hash is the same for every order.
"""
from __future__ import annotations

from typing import Any

from nasdsl.ops import INPUT, OUTPUT, NASBENCH101_OPS


def _op_string(layer: Any) -> str:
    op = layer[0] if isinstance(layer, (list, tuple)) else layer
    name = op if isinstance(op, str) else getattr(op, "__name__", str(op))
    return NASBENCH101_OPS.get(name, name)


def _end(descriptor: Any, ops: dict[Any, str], op: str, attr: str, fallback) -> Any:
    names = [n for n, o in ops.items() if o == op]
    if len(names) == 1:
        return names[0]
    named = getattr(descriptor, attr, None)
    if named is not None and named in descriptor.layers:
        return named
    return fallback(descriptor.layers)


def descriptor_to_matrix(descriptor: Any) -> tuple[list[list[int]], list[str]]:
    """(matrix, ops) with NAS-Bench-101 op strings; ValueError for a cyclic graph or an
    edge to an unknown layer."""
    order, ops = _order(descriptor)
    index = {n: i for i, n in enumerate(order)}
    matrix = [[0] * len(order) for _ in order]
    for src, dsts in descriptor.connections.items():
        for dst in dsts:
            matrix[index[src]][index[dst]] = 1
    return matrix, [ops[n] for n in order]


def descriptor_to_rows(descriptor: Any) -> tuple[list[int], list[str]]:
    """As `descriptor_to_matrix`, with each row a successor bitmask (`hashing.rows_of`)."""
    order, ops = _order(descriptor)
    index = {n: i for i, n in enumerate(order)}
    rows = [0] * len(order)
    for src, dsts in descriptor.connections.items():
        i = index[src]
        for dst in dsts:
            rows[i] |= 1 << index[dst]
    return rows, [ops[n] for n in order]


def _order(descriptor: Any) -> tuple[list[Any], dict[Any, str]]:
    """Input first, output last, a topological order between; and each layer's op string."""
    layers = descriptor.layers
    if not layers:
        raise ValueError("the descriptor has no layers")
    ops = {n: _op_string(layer) for n, layer in layers.items()}
    first = _end(descriptor, ops, INPUT, "first_layer", min)
    last = _end(descriptor, ops, OUTPUT, "last_layer", max)
    succ: dict[Any, list[Any]] = {n: [] for n in layers}
    indeg = {n: 0 for n in layers}
    for src, dsts in descriptor.connections.items():
        for dst in dsts:
            if src not in succ or dst not in succ:
                raise ValueError(f"connection {src!r} -> {dst!r} names an unknown layer")
            succ[src].append(dst)
            indeg[dst] += 1
    order: list[Any] = []
    queue = [first] + [n for n in layers if indeg[n] == 0 and n not in (first, last)]
    while queue:
        n = queue.pop(0)
        order.append(n)
        for dst in succ[n]:
            indeg[dst] -= 1
            if indeg[dst] == 0 and dst not in (first, last):
                queue.append(dst)
    if len(order) != len(layers) - (0 if first == last else 1):
        raise ValueError("the descriptor's graph has a cycle")
    if last != first:
        order.append(last)
    return order, ops


def descriptor_key(descriptor: Any) -> tuple:
    """Content key of a descriptor, for memoizing its hash (descriptors are mutable)."""
    layers = descriptor.layers
    return (tuple((n, _op_string(l)) for n, l in layers.items()),
            tuple((s, tuple(d)) for s, d in descriptor.connections.items()))
