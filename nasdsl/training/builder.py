"""Descriptor → `keras.Model` (Keras 3): the networks `shapes` plans, for the evaluator and for
anyone who wants the model itself.

```python
from nasdsl.training import build_model
model = build_model(space.to_descriptor(arch), input_shape=(28, 28, 1), classes=10)
```

Convolutions are convolution (no bias), batch norm, ReLU; the classifier's softmax computes
in float32 so that mixed precision stays stable. A cell network ends in global average
pooling (NAS-Bench-101's); a global-space stack is flattened into its dense classifier, so
the spatial detail the searched layers keep reaches the classifier. Channel truncation inside cells is the
`Truncate` layer, registered with Keras: a saved `.keras` model loads with
`keras.models.load_model(path)` once `nasdsl.training.builder` is imported.
"""
from __future__ import annotations

from typing import Any

from nasdsl.quiet_tensorflow import keras
from nasdsl.training.shapes import (
    CELL_POOLS, CONV_KERNELS, STACK_POOLS, CellPlan, ShapeError, Source, StackPlan, as_descriptor,
    cell_channels, network_kind, plan_cell, plan_stack,
)

layers = keras.layers


@keras.saving.register_keras_serializable(package="nasdsl")
class Truncate(layers.Layer):
    """The first `channels` channels of its input (NAS-Bench-101's truncation)."""

    def __init__(self, channels: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.channels = int(channels)

    def call(self, inputs):
        return inputs[..., :self.channels]

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "channels": self.channels}


def build_model(descriptor: Any, input_shape: tuple[int, int, int] = (28, 28, 1),
                classes: int = 10, *, stem: int = 128, stacks: int = 3, cells: int = 3,
                name: str = "nasdsl") -> keras.Model:
    """The network of `descriptor` (ours or NORD's) for images of `input_shape` (height,
    width, channels) and `classes` classes. A cell descriptor gets NAS-Bench-101's skeleton
    (`stem` channels, `stacks` × `cells`); a global-space one is built layer by layer.
    Raises `ShapeError` (a ValueError) when the architecture cannot be built on this input."""
    d = as_descriptor(descriptor)
    input_shape = tuple(int(v) for v in input_shape)
    if network_kind(d) == "cell":
        return _cell_network(plan_cell(d), input_shape, classes, stem, stacks, cells, name)
    return _stack_network(plan_stack(d, input_shape), classes, name)


def count_flops(model: keras.Model) -> int:
    """Floating-point operations of one forward pass of one image: 2 × the multiply-adds of
    the convolutions and dense layers (batch norm, pooling and additions left out)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            _, h, w, _ = layer.output.shape
            total += 2 * h * w * kh * kw * cin * cout
        elif isinstance(layer, layers.Dense):
            cin, cout = layer.kernel.shape
            total += 2 * cin * cout
    return int(total)


def trainable_parameters(model: keras.Model) -> int:
    return int(sum(int(_size(w.shape)) for w in model.trainable_weights))


def _size(shape) -> int:
    n = 1
    for v in shape:
        n *= int(v)
    return n


# --- pieces -------------------------------------------------------------------------------------
BN_MOMENTUM = 0.9
"""Batch norm's moving averages follow the batches closely enough to be right after the few
hundred steps of a search evaluation (Keras's 0.99 keeps 40 % of the initial statistics after
a hundred steps, and a model scored then is scored on noise)."""


def _conv(x, filters: int, kernel: int):
    x = layers.Conv2D(filters, kernel, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM)(x)
    return layers.ReLU()(x)


def _classifier(x, classes: int, name: str, inputs, flatten: bool = False) -> keras.Model:
    x = layers.Flatten()(x) if flatten else layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(classes)(x)
    outputs = layers.Activation("softmax", dtype="float32")(x)
    return keras.Model(inputs, outputs, name=name)


def _join(tensors: list):
    return tensors[0] if len(tensors) == 1 else layers.Concatenate()(tensors)


# --- global space -------------------------------------------------------------------------------
def _stack_network(plan: StackPlan, classes: int, name: str) -> keras.Model:
    inputs = keras.Input(shape=plan.input_shape)
    made: dict[str | None, Any] = {None: inputs}

    def fetch(source: Source):
        t = made[source.layer]
        for _ in range(source.poolings):
            t = layers.MaxPooling2D(2, strides=2, padding="valid")(t)
        return t

    for layer in plan.layers:
        x = _join([fetch(s) for s in layer.inputs])
        if layer.op in CONV_KERNELS:
            x = _conv(x, layer.channels, CONV_KERNELS[layer.op])
        elif STACK_POOLS[layer.op] == "max":
            x = layers.MaxPooling2D(2, strides=2, padding="valid")(x)
        else:
            x = layers.AveragePooling2D(2, strides=2, padding="valid")(x)
        made[layer.name] = x
    return _classifier(_join([fetch(s) for s in plan.outputs]), classes, name, inputs,
                       flatten=True)


# --- cell space: NAS-Bench-101's network --------------------------------------------------------
def _cell_network(plan: CellPlan, input_shape: tuple[int, ...], classes: int, stem: int,
                  stacks: int, cells: int, name: str) -> keras.Model:
    inputs = keras.Input(shape=input_shape)
    x = _conv(inputs, stem, 3)
    channels = stem
    for stack in range(stacks):
        if stack > 0:
            x = layers.MaxPooling2D(2, strides=2, padding="same")(x)
            channels *= 2
        for _ in range(cells):
            x = _cell(x, plan, channels)
    return _classifier(x, classes, name, inputs)


def _truncate(x, channels: int):
    have = x.shape[-1]
    if have == channels:
        return x
    if have < channels:
        raise ShapeError(f"a cell edge carries {have} channels into a vertex of {channels}")
    return Truncate(channels)(x)


def _cell(inputs, plan: CellPlan, out_channels: int):
    m, ops = plan.matrix, plan.ops
    n = len(ops)
    channels = cell_channels(m, int(inputs.shape[-1]), out_channels)
    tensors = [inputs]
    to_output = []
    for v in range(1, n - 1):
        into = [_truncate(tensors[u], channels[v]) for u in range(1, v) if m[u][v]]
        if m[0][v]:
            into.append(_conv(inputs, channels[v], 1))
        x = into[0] if len(into) == 1 else layers.Add()(into)
        op = ops[v]
        if op in CONV_KERNELS:
            x = _conv(x, channels[v], CONV_KERNELS[op])
        elif CELL_POOLS[op] == "max":
            x = layers.MaxPooling2D(3, strides=1, padding="same")(x)
        else:
            x = layers.AveragePooling2D(3, strides=1, padding="same")(x)
        tensors.append(x)
        if m[v][n - 1]:
            to_output.append(x)
    if not to_output:
        return _conv(inputs, out_channels, 1)
    out = _join(to_output)
    if m[0][n - 1]:
        out = layers.Add()([out, _conv(inputs, out_channels, 1)])
    return out
