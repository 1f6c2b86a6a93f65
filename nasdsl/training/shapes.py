"""How a descriptor becomes a network, decided before TensorFlow is touched: which network,
the shape of every tensor, and why an architecture cannot be built.

Two kinds of descriptor (see `network_kind`):

**cell** (layers `input` … `output`, NAS-Bench-101 op strings): NAS-Bench-101's network. A
stem convolution (3×3, `stem` channels, batch norm, ReLU); `stacks` stacks of `cells` copies
of the cell; between stacks a 2×2 max pooling (stride 2, 'same' padding, so a map never
shrinks below 1×1) and twice the channels; global average pooling; a dense softmax
classifier. Inside a cell (pruned first) the channel rules of NAS-Bench-101 (`cell_channels`):
the vertices feeding the output share the cell's channels (the remainder to the first ones)
and are concatenated; every other vertex takes the largest channel count of its successors;
an edge into a vertex with fewer channels keeps the first channels (truncation); the cell's
input reaches a vertex through a 1×1 convolution (projection), and reaches the output the
same way, added to the concatenation. Several inputs of a vertex are summed.

**stack** (the global space: op names with `{'filters': f}`), `plan_stack`:

1. Layers run in topological order; a layer no connection feeds reads the image.
2. A layer fed by several layers concatenates them along channels. Inputs with a larger map
   are brought to the smallest by 2×2 max pooling (stride 2) repeated once per pooling layer
   between them, which gives exactly the smaller size (⌊⌊h/2⌋/2⌋ = ⌊h/4⌋).
3. `convKxK`: K×K, 'same' padding, stride 1, `filters` channels, batch norm, ReLU.
   `maxpool2x2` / `avgpool2x2`: 2×2, stride 2, 'valid': ⌊h/2⌋ × ⌊w/2⌋, channels unchanged.
4. A pooling layer whose input map is 1 pixel high or wide would leave nothing: the
   architecture is refused here (`ShapeError`, reported as `invalid`), never at training.
5. The layers nothing reads (normally the last) are joined by rule 2, flattened, and feed a
   dense softmax classifier.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nasdsl import hashing
from nasdsl.descriptor import NeuralDescriptor
from nasdsl.ops import INPUT, OUTPUT, from_nasbench101

CONV_KERNELS = {"conv1x1": 1, "conv3x3": 3, "conv5x5": 5}
STACK_POOLS = {"maxpool2x2": "max", "avgpool2x2": "avg"}
CELL_POOLS = {"maxpool3x3": "max", "avgpool3x3": "avg"}

Size = tuple[int, int]


class ShapeError(ValueError):
    """The architecture cannot be built on this input; the message says why."""


def as_descriptor(descriptor: Any) -> NeuralDescriptor:
    """Our `NeuralDescriptor` for anything with NORD's `layers` and `connections`."""
    if isinstance(descriptor, NeuralDescriptor):
        return descriptor
    if not (hasattr(descriptor, "layers") and hasattr(descriptor, "connections")):
        raise ShapeError(f"not a descriptor: a {type(descriptor).__name__} has no layers and "
                         "connections")
    return NeuralDescriptor.from_nord(descriptor)


def _op_name(layer_class: Any) -> str:
    if not isinstance(layer_class, str):
        raise ShapeError(f"layer class {layer_class!r} is not an operation name")
    return from_nasbench101(layer_class)


def network_kind(descriptor: NeuralDescriptor) -> str:
    """"cell" when the descriptor has an `input` and an `output` layer, else "stack"."""
    names = {_op_name(c) if isinstance(c, str) else None for c, _ in descriptor.layers.values()}
    return "cell" if INPUT in names and OUTPUT in names else "stack"


# --- global space: stacks -----------------------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """One input of a layer: `layer` (None: the image) after `poolings` 2×2 max poolings."""

    layer: str | None
    poolings: int


@dataclass(frozen=True)
class StackLayer:
    name: str
    op: str
    inputs: tuple[Source, ...]
    channels: int
    """Output channels."""
    size: Size
    """Output height and width."""

    @property
    def is_pool(self) -> bool:
        return self.op in STACK_POOLS


@dataclass(frozen=True)
class StackPlan:
    input_shape: tuple[int, int, int]
    layers: tuple[StackLayer, ...]
    outputs: tuple[Source, ...]


@dataclass(frozen=True)
class _Node:
    channels: int
    size: Size
    halvings: int


def _join(nodes: dict[str | None, _Node], names: list[str | None]) -> tuple[tuple[Source, ...],
                                                                            _Node]:
    deepest = max(nodes[n].halvings for n in names)
    sources = tuple(Source(n, deepest - nodes[n].halvings) for n in names)
    target = next(nodes[n] for n in names if nodes[n].halvings == deepest)
    return sources, _Node(sum(nodes[n].channels for n in names), target.size, deepest)


def plan_stack(descriptor: Any, input_shape: tuple[int, int, int]) -> StackPlan:
    """The shapes of a global-space network on `input_shape` (height, width, channels), or
    `ShapeError` saying why it cannot be built."""
    d = as_descriptor(descriptor)
    if not d.layers:
        raise ShapeError("the descriptor has no layers")
    try:
        order = d.topological_order()
    except ValueError as e:
        raise ShapeError(str(e)) from None
    h, w, c = input_shape
    nodes: dict[str | None, _Node] = {None: _Node(c, (h, w), 0)}
    layers = []
    for position, name in enumerate(order):
        layer_class, parameters = d.layers[name]
        op = _op_name(layer_class)
        incoming = list(dict.fromkeys(d.incoming_connections.get(name, [])))
        sources, joined = _join(nodes, incoming or [None])
        where = f"layer {position} ({op})"
        if op in CONV_KERNELS:
            filters = (parameters or {}).get("filters") if isinstance(parameters, dict) else None
            if not isinstance(filters, int) or isinstance(filters, bool) or filters < 1:
                raise ShapeError(f"{where} needs a positive integer 'filters', got {filters!r}")
            node = _Node(filters, joined.size, joined.halvings)
        elif op in STACK_POOLS:
            jh, jw = joined.size
            if jh < 2 or jw < 2:
                raise ShapeError(f"{where} would pool a {jh}×{jw} map below 1×1: "
                                 f"a {h}×{w} input takes at most {most_poolings((h, w))} "
                                 "2×2 poolings on one path")
            node = _Node(joined.channels, (jh // 2, jw // 2), joined.halvings + 1)
        else:
            raise ShapeError(f"{where}: unknown operation {op!r}; a global network takes "
                             f"{', '.join([*CONV_KERNELS, *STACK_POOLS])}")
        nodes[name] = node
        layers.append(StackLayer(name, op, sources, node.channels, node.size))
    sinks = [n for n in order if not d.connections.get(n)]
    outputs, _ = _join(nodes, sinks)
    return StackPlan(tuple(input_shape), tuple(layers), outputs)


def most_poolings(size: Size) -> int:
    """How many 2×2 'valid' poolings a map of `size` takes before it would vanish."""
    side, count = min(size), 0
    while side >= 2:
        side //= 2
        count += 1
    return count


# --- cell space: NAS-Bench-101's network --------------------------------------------------------
@dataclass(frozen=True)
class CellPlan:
    """The pruned cell: `matrix` (upper triangular) and `.nas` op names, input first."""

    matrix: tuple[tuple[int, ...], ...]
    ops: tuple[str, ...]


def plan_cell(descriptor: Any) -> CellPlan:
    """The pruned cell of a cell descriptor, or `ShapeError` (disconnected, unknown op)."""
    d = as_descriptor(descriptor)
    try:
        matrix, ops = d.to_nasbench()
    except ValueError as e:
        raise ShapeError(str(e)) from None
    ops = [_op_name(op) for op in ops]
    rows = hashing.checked_rows(matrix)
    pruned = hashing.prune_rows(rows, len(rows))
    if pruned is None:
        raise ShapeError("the cell is disconnected: no path from input to output")
    new_rows, kept = pruned
    n = len(kept)
    kept_ops = tuple(ops[v] for v in kept)
    for op in kept_ops[1:-1]:
        if op not in CONV_KERNELS and op not in CELL_POOLS:
            raise ShapeError(f"unknown cell operation {op!r}; a cell takes "
                             f"{', '.join([*CONV_KERNELS, *CELL_POOLS])}")
    new_matrix = tuple(tuple((new_rows[i] >> j) & 1 for j in range(n)) for i in range(n))
    return CellPlan(new_matrix, kept_ops)


def cell_channels(matrix: tuple[tuple[int, ...], ...], in_channels: int,
                  out_channels: int) -> list[int]:
    """Channels of each vertex of a pruned cell (NAS-Bench-101's rules, module docstring)."""
    n = len(matrix)
    channels = [0] * n
    channels[0], channels[n - 1] = in_channels, out_channels
    if n == 2:
        return channels
    feeding = [v for v in range(1, n - 1) if matrix[v][n - 1]]
    if not feeding:
        raise ShapeError("no hidden vertex of the cell feeds its output")
    share, extra = divmod(out_channels, len(feeding))
    if share == 0:
        raise ShapeError(f"{out_channels} channels cannot be shared by {len(feeding)} "
                         "vertices feeding the output")
    for k, v in enumerate(feeding):
        channels[v] = share + (1 if k < extra else 0)
    for v in range(n - 3, 0, -1):
        if not matrix[v][n - 1]:
            channels[v] = max(channels[t] for t in range(v + 1, n - 1) if matrix[v][t])
    return channels


def cell_network_channels(stem: int, stacks: int) -> list[int]:
    """Channels of the cells of each stack: the stem's, doubled at every downsampling."""
    return [stem * 2 ** s for s in range(stacks)]
