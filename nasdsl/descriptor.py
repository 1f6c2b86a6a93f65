"""`NeuralDescriptor`: a network as named layers and connections, with NORD's exact API.

NORD code (evaluators, builders, examples) reads `layers`, `connections`,
`incoming_connections`, `first_layer`, `last_layer` and calls `add_layer`,
`add_layer_sequential`, `connect_layers`, …; keeping the same names and argument order lets
NORD code take our descriptors and ours take NORD's. On top of NORD's API this class converts
to and from the NAS-Bench-101 `(matrix, ops)` form and has a canonical text form that is safe to
store and to read (JSON, no eval, no pickle, and no import of a module the text names unless
the reader passes a resolver that allows it).

A layer is `[layer_class, parameters]`: for NAS-Bench-101 cells the class is the benchmark's op
string ('input', 'conv3x3-bn-relu', …, 'output') and parameters are None, as NORD's
`BenchmarkEvaluator` expects; for the global space the class is the `.nas` op name
('conv3x3') with a parameters dict ({'filters': 64}); NORD's own torch classes are kept as is.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
from collections.abc import Mapping
from typing import Any, Callable, Sequence

import networkx as nx
import numpy as np

from nasdsl.hashing import checked_rows
from nasdsl.nasbench101 import descriptor_to_rows
from nasdsl.ops import INPUT, NASBENCH101_OPS, OUTPUT

DEFAULT_SUFFIX = "Layer"


class NeuralDescriptor:
    """Layers by name and their connections; names default to NORD's `'<i>_Layer'`."""

    def __init__(self) -> None:
        self.layers: dict[str, list[Any]] = {}
        self.connections: dict[str, list[str]] = {}
        self.incoming_connections: dict[str, list[str]] = {}
        self.current_layer = 0
        self.first_layer = ""
        self.last_layer = ""

    # --- NORD's API ----------------------------------------------------------------------------
    def add_layer(self, layer_class: Any, parameters: Any, name: str | None = None) -> None:
        """Add an unconnected layer; the first one added becomes `first_layer`, the latest
        `last_layer`."""
        if name is None:
            name = f"{self.current_layer}_{DEFAULT_SUFFIX}"
        if name in self.layers:  # NORD overwrites the layer silently; that loses its edges
            raise ValueError(f"a layer named {name!r} already exists; give each layer its "
                             "own name")
        if self.current_layer == 0:
            self.first_layer = name
        self.last_layer = name
        self.layers[name] = [layer_class, parameters]
        self.connections[name] = []
        self.incoming_connections[name] = []
        self.current_layer += 1

    def add_layer_sequential(self, layer_class: Any, parameters: Any,
                             name: str | None = None) -> None:
        """Add a layer fed by the previously added one."""
        previous = self.last_layer
        self.add_layer(layer_class, parameters, name)
        if previous != "":
            self.connect_layers(previous, self.last_layer)

    def connect_layers(self, from_layer: str, to_layer: str) -> None:
        self.connections[from_layer].append(to_layer)
        self.incoming_connections[to_layer].append(from_layer)

    def disconnect_layers(self, from_layer: str, to_layer: str) -> None:
        """Remove every connection from `from_layer` to `to_layer`."""
        while to_layer in self.connections[from_layer]:
            self.connections[from_layer].remove(to_layer)
            self.incoming_connections[to_layer].remove(from_layer)

    def add_suffix(self, suffix: str) -> None:
        """Append `suffix` to every layer name (to merge descriptors without clashes)."""
        self.first_layer += suffix
        self.last_layer += suffix
        self.layers = {k + suffix: v for k, v in self.layers.items()}
        self.connections = {k + suffix: [c + suffix for c in v]
                            for k, v in self.connections.items()}
        self.incoming_connections = {k + suffix: [c + suffix for c in v]
                                     for k, v in self.incoming_connections.items()}

    def to_networkx(self) -> nx.DiGraph:
        """Directed graph of the layers; node attributes `layer` and `parameters`."""
        graph = nx.DiGraph()
        for name, (layer_class, parameters) in self.layers.items():
            graph.add_node(name, layer=layer_class, parameters=parameters)
        for origin, targets in self.connections.items():
            for target in targets:
                graph.add_edge(origin, target)
        return graph

    def __repr__(self) -> str:
        return str({"Layers": repr(self.layers), "Connections": repr(self.connections),
                    "First_Layer": self.first_layer, "Last_Layer": self.last_layer})

    # --- structure ------------------------------------------------------------------------------
    def _structure(self) -> tuple:
        layers = sorted((name, _encode_class(c), json.dumps(_encode_value(p), sort_keys=True))
                        for name, (c, p) in self.layers.items())
        edges = sorted((a, b) for a, targets in self.connections.items() for b in targets)
        return tuple(layers), tuple(edges), self.first_layer, self.last_layer

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NeuralDescriptor):
            return NotImplemented
        return self._structure() == other._structure()

    __hash__ = None  # mutable, like NORD's

    def topological_order(self) -> list[str]:
        """Layer names, `first_layer` first and `last_layer` last, ties in insertion order.

        Raises ValueError when the connections have a cycle."""
        graph = self.to_networkx()
        position = {name: i for i, name in enumerate(self.layers)}

        def rank(name: str) -> tuple[int, int]:
            edge = 0 if name == self.first_layer else 2 if name == self.last_layer else 1
            return edge, position[name]

        try:
            return list(nx.lexicographical_topological_sort(graph, key=rank))
        except nx.NetworkXUnfeasible:
            raise ValueError("the descriptor's connections contain a cycle") from None

    # --- NAS-Bench-101 --------------------------------------------------------------------------
    def to_nasbench(self) -> tuple[np.ndarray, list[str]]:
        """(adjacency matrix, ops) in topological order, input first and output last; ops are
        the benchmark's strings where the benchmark has the op."""
        for name, (layer_class, _) in self.layers.items():
            if not isinstance(layer_class, str):
                raise ValueError(f"layer {name!r} is {layer_class!r}, not a cell operation")
        rows, ops = descriptor_to_rows(self)
        n = len(rows)
        matrix = np.array([[row >> j & 1 for j in range(n)] for row in rows], dtype=np.int8)
        ops[0], ops[-1] = INPUT, OUTPUT
        return matrix.reshape(n, n), ops

    @classmethod
    def from_nasbench(cls, matrix, ops: Sequence[str]) -> "NeuralDescriptor":
        """Descriptor of a cell: layers '0_Layer' (input) … '<V-1>_Layer' (output), so NORD's
        name-ordered `descriptor_to_matrix` finds input and output too (V ≤ 10)."""
        rows = checked_rows(matrix)  # square, 0/1 entries, upper triangular; else ValueError
        ops = list(ops)
        if len(rows) != len(ops) or not all(isinstance(op, str) for op in ops):
            raise ValueError(f"a {len(rows)}-vertex matrix needs {len(rows)} op names, got "
                             f"{ops!r}")
        d = cls()
        for op in ops:
            d.add_layer(NASBENCH101_OPS.get(op, op), None)
        names = list(d.layers)
        for i, row in enumerate(rows):
            for j in range(i + 1, len(rows)):
                if row >> j & 1:
                    d.connect_layers(names[i], names[j])
        return d

    # --- NORD objects ---------------------------------------------------------------------------
    def to_nord(self) -> Any:
        """The same network as NORD's own `NeuralDescriptor` (needs NORD installed)."""
        try:
            from nord.neural_nets import NeuralDescriptor as NordDescriptor
        except ImportError as exc:
            raise ImportError("to_nord() needs NORD (github.com/GeorgeKyriakides/nord), which "
                              "is not installed; nasdsl descriptors already offer NORD's API")\
                from exc
        return _copy_into(NordDescriptor(), self)

    @classmethod
    def from_nord(cls, obj: Any) -> "NeuralDescriptor":
        """Copy any object with NORD's `layers` and `connections` (and, if present,
        `first_layer` / `last_layer`); TypeError or ValueError saying what is missing."""
        layers = getattr(obj, "layers", None)
        connections = getattr(obj, "connections", None)
        if not isinstance(layers, Mapping) or not isinstance(connections, Mapping):
            raise TypeError("from_nord expects a NORD NeuralDescriptor (or any object with "
                            "`layers`: name -> [layer class, parameters] and `connections`: "
                            f"name -> [names]), got {type(obj).__name__}")
        for name, layer in layers.items():
            if not isinstance(layer, (list, tuple)) or len(layer) != 2:
                raise ValueError(f"layer {name!r} is {layer!r}; NORD layers are "
                                 "[layer class, parameters]")
        for origin, targets in connections.items():
            for target in (targets if isinstance(targets, (list, tuple)) else [targets]):
                if origin not in layers or target not in layers:
                    raise ValueError(f"connection {origin!r} -> {target!r} names a layer the "
                                     "descriptor does not have")
        return _copy_into(cls(), obj)

    # --- canonical text -------------------------------------------------------------------------
    def to_text(self) -> str:
        """One-line JSON, layers sorted by name and connections sorted, so equal descriptors
        give equal text. Classes that are not strings are written as 'module:qualname'."""
        layers = [[name, _encode_class(c), _encode_value(p)]
                  for name, (c, p) in sorted(self.layers.items())]
        edges = sorted([a, b] for a, targets in self.connections.items() for b in targets)
        return json.dumps({"first": self.first_layer, "last": self.last_layer,
                           "layers": layers, "connections": edges},
                          sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str, resolver: Resolver | None = None) -> "NeuralDescriptor":
        """The descriptor `to_text` wrote. Layer classes written as 'module:qualname' are
        found by `resolver`; the default, `registered_class`, knows only NORD's layers, so
        reading a text never imports a module the caller did not choose (pass
        `resolver=import_class` for texts you trust that name your own classes)."""
        resolve = resolver or registered_class
        try:
            data = json.loads(text)
            d = cls()
            for name, layer_class, parameters in data["layers"]:
                d.add_layer(_decode_class(layer_class, resolve),
                            _decode_value(parameters, resolve), name)
            for origin, target in data["connections"]:
                d.connect_layers(origin, target)
            d.first_layer, d.last_layer = data["first"], data["last"]
        except (ValueError, KeyError, TypeError, ImportError, AttributeError) as exc:
            raise ValueError(f"not a descriptor text: {exc}") from exc
        return d


def _copy_into(target: Any, source: Any) -> Any:
    for name, (layer_class, parameters) in source.layers.items():
        target.add_layer(layer_class, parameters, name)
    for origin, targets in source.connections.items():
        for t in targets:
            target.connect_layers(origin, t)
    target.first_layer = getattr(source, "first_layer", target.first_layer)
    target.last_layer = getattr(source, "last_layer", target.last_layer)
    return target


def _encode_class(layer_class: Any) -> Any:
    if isinstance(layer_class, str):
        return layer_class
    return {"class": f"{layer_class.__module__}:{layer_class.__qualname__}"}


Resolver = Callable[[str], Any]
"""'module:qualname' -> the layer class it names (ValueError when it may not be used)."""

NORD_MODULES = ("nord", "torch.nn")
"""Where NORD's layer classes live: its own modules and the torch layers it builds with."""


def import_class(name: str) -> Any:
    """Import the module named in 'module:qualname' and return the class: runs that module's
    code, so pass it to `from_text` only for texts you trust."""
    module, sep, qualname = name.partition(":")
    if not sep or not module or not qualname:
        raise ValueError(f"layer class {name!r} is not written 'module:qualname'")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def registered_class(name: str) -> Any:
    """The default resolver: NORD's layer classes when NORD is installed, nothing else."""
    module = name.partition(":")[0]
    nord_layer = any(module == m or module.startswith(m + ".") for m in NORD_MODULES)
    if nord_layer and importlib.util.find_spec("nord") is not None:
        return import_class(name)
    raise ValueError(f"layer class {name!r} is neither an op nor a NORD layer; reading a "
                     "descriptor text imports no other code unless asked: pass "
                     "resolver=nasdsl.descriptor.import_class for a text you trust")


def _decode_class(value: Any, resolve: Resolver) -> Any:
    if isinstance(value, str):
        return value
    return resolve(value["class"])


def _encode_value(value: Any) -> Any:
    """JSON form that keeps tuples and non-string dict keys distinguishable."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [_encode_value(v) for v in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode_value(v) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"dict": {k: _encode_value(v) for k, v in value.items()}}
        return {"items": [[_encode_value(k), _encode_value(v)] for k, v in value.items()]}
    if isinstance(value, type):
        return _encode_class(value)
    raise ValueError(f"cannot write parameter value {value!r} as text")


def _decode_value(value: Any, resolve: Resolver) -> Any:
    if isinstance(value, list):
        return [_decode_value(v, resolve) for v in value]
    if isinstance(value, dict):
        if "tuple" in value:
            return tuple(_decode_value(v, resolve) for v in value["tuple"])
        if "dict" in value:
            return {k: _decode_value(v, resolve) for k, v in value["dict"].items()}
        if "items" in value:
            return {_decode_value(k, resolve): _decode_value(v, resolve)
                    for k, v in value["items"]}
        if "class" in value:
            return _decode_class(value, resolve)
    return value
