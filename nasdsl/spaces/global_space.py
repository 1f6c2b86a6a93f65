"""The global (macro) space: a stack of layers, optionally with skip connections.

An architecture is the sequence of hidden layers — (op, filters) for a convolution,
(op, None) for a pooling layer — plus a set of skips (i, j), j > i + 1, meaning layer i's
output also feeds layer j. Layers are numbered 0 … depth-1 in order; consecutive layers are
always connected, so only non-adjacent pairs can be skips.
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence

import numpy as np

from nasdsl.descriptor import NeuralDescriptor
from nasdsl.ops import GLOBAL_OPS
from nasdsl.settings import REQUIRED, IntType, LayersType, ListType, NameType, Param
from nasdsl.settings.bounds import MAX_CHANNELS
from nasdsl.spaces.base import Space
from nasdsl.spaces.global_arch import GlobalArch, Layer
from nasdsl.spaces.global_environment import GlobalEnvironment
from nasdsl.wording import count



def is_pool(op: str) -> bool:
    """Pooling layers take no filter count."""
    return "pool" in op


LAYERS = Param("layers", LayersType(), REQUIRED, "hidden layers: n, or lo..hi (searched)")
OPS = Param("ops", ListType(NameType(GLOBAL_OPS, "op"), "list of ops"),
            ["conv3x3", "maxpool2x2"], "layer types")
FILTERS = Param("filters", ListType(IntType(1, MAX_CHANNELS), "list of positive integers"), [16, 32, 64, 128],
                "output channels a convolution may take")
MAX_SKIPS = 100
SKIPS = Param("skips", IntType(0, MAX_SKIPS), 0,
              "most skip connections between non-adjacent layers")


class GlobalSpace(Space):
    """Stacks of `layers` layers (an int, or a (lo, hi) range searched over)."""

    kind = "global"
    parameters = (LAYERS, OPS, FILTERS, SKIPS)

    def __init__(self, layers: int | Sequence[int], ops: Sequence[str] = tuple(OPS.default),
                 filters: Sequence[int] = tuple(FILTERS.default),
                 skips: int = SKIPS.default) -> None:
        if isinstance(layers, (int, np.integer)):
            self.lo = self.hi = int(layers)
        else:
            lo, hi = layers
            self.lo, self.hi = int(lo), int(hi)
        if not 1 <= self.lo <= self.hi <= LayersType.MAX_LAYERS:
            raise ValueError(f"layers must be in 1..{LayersType.MAX_LAYERS} (and a range must "
                             "have lo <= hi)")
        self.ops = tuple(ops)
        unknown = [op for op in self.ops if op not in GLOBAL_OPS]
        if unknown:
            raise ValueError(f"unknown global ops {unknown}; accepted: {list(GLOBAL_OPS)}")
        if not self.ops or len(set(self.ops)) != len(self.ops):
            raise ValueError("ops must be a non-empty list without repeats")
        self.filters = tuple(int(f) for f in filters)
        if any(is_pool(op) is False for op in self.ops) and not self.filters:
            raise ValueError("convolutions need at least one filters value")
        self.skips = int(skips)
        if not 0 <= self.skips <= MAX_SKIPS:
            raise ValueError(f"skips must be in 0..{MAX_SKIPS}")
        self._choices: list[Layer] = [
            (op, None) if is_pool(op) else (op, f) for op in self.ops
            for f in ((None,) if is_pool(op) else self.filters)]
        self._pairs = _skip_pairs(self.hi)

    def __repr__(self) -> str:
        depth = self.lo if self.lo == self.hi else (self.lo, self.hi)
        return (f"GlobalSpace(layers={depth}, ops={self.ops}, filters={self.filters}, "
                f"skips={self.skips})")

    # --- validity ------------------------------------------------------------------------------
    def invalid_reason(self, arch: Any) -> str | None:
        if not isinstance(arch, GlobalArch):
            return f"not a global architecture: {arch!r}"
        if not self.lo <= arch.depth <= self.hi:
            return f"{count(arch.depth, 'layer')}, the space allows {self.lo}..{self.hi} layers"
        for op, f in arch.layers:
            if (op, f) not in self._choices:
                return f"layer ({op}, {f}) is not in the space"
        if len(arch.skips) > self.skips:
            return f"{len(arch.skips)} skips, the space allows {self.skips}"
        for i, j in arch.skips:
            if not 0 <= i < j - 1 or j >= arch.depth:
                return f"skip {i}>{j} does not join two non-adjacent layers"
        return None

    def is_valid(self, arch: Any) -> bool:
        return self.invalid_reason(arch) is None

    # --- sampling and mutation ------------------------------------------------------------------
    def _random_layer(self, rng: np.random.Generator) -> Layer:
        return self._choices[int(rng.integers(len(self._choices)))]

    def sample(self, rng: np.random.Generator) -> GlobalArch:
        """Depth uniform in the range, each layer uniform over (op, filters), then a uniform
        number of skips (up to the limit) on distinct random non-adjacent pairs."""
        depth = int(rng.integers(self.lo, self.hi + 1))
        layers = tuple(self._random_layer(rng) for _ in range(depth))
        pairs = _skip_pair_count(depth)
        count = int(rng.integers(0, min(self.skips, pairs) + 1))
        chosen = rng.choice(pairs, size=count, replace=False) if count else []
        return GlobalArch(layers, frozenset(_skip_pair(depth, int(k)) for k in chosen))

    def grow(self, arch: GlobalArch, rng: np.random.Generator,
             add_node: float = 0.1, add_connection: float = 0.1,
             redraw: bool = True) -> GlobalArch:
        """One uniform r as NORD's genome: r < add_node inserts a random layer at a random
        position (if the depth allows; skips keep their endpoints), else r < add_node +
        add_connection adds a random skip (if the limit allows). Redrawn (bounded) until the
        child differs from the parent; the parent comes back when nothing can change.
        `redraw=False` draws once: the parent comes back when that draw changes nothing."""
        if add_node <= 0 and add_connection <= 0:
            return arch
        for _ in range(_TRIES if redraw else 1):
            r = rng.random()
            child = None
            if r < add_node and arch.depth < self.hi:
                at = int(rng.integers(arch.depth + 1))
                layers = arch.layers[:at] + (self._random_layer(rng),) + arch.layers[at:]
                child = GlobalArch(layers, frozenset(
                    (i + (i >= at), j + (j >= at)) for i, j in arch.skips))
            elif add_node <= r < add_node + add_connection and len(arch.skips) < self.skips:
                free = [p for p in _skip_pairs(arch.depth) if p not in arch.skips]
                if free:
                    pair = free[int(rng.integers(len(free)))]
                    child = GlobalArch(arch.layers, arch.skips | {pair})
            if child is not None and child != arch and self.is_valid(child):
                return child
        return arch

    def flip(self, arch: GlobalArch, rng: np.random.Generator, rate: float = 1.0) -> GlobalArch:
        """Resample each layer (to a different (op, filters)) with probability rate/L and flip
        each non-adjacent pair's skip with probability rate/P (P pairs); redrawn until the
        child is within the skip limit. The depth is kept (`grow` changes depth)."""
        depth = arch.depth
        pairs = _skip_pairs(depth) if self.skips else []  # no skips allowed: none to flip
        for _ in range(_TRIES):
            layers = list(arch.layers)
            for k in range(depth):
                if rng.random() < rate / depth:
                    others = [c for c in self._choices if c != layers[k]]
                    if others:
                        layers[k] = others[int(rng.integers(len(others)))]
            skips = set(arch.skips)
            for pair in pairs:
                if rng.random() < rate / len(pairs):
                    skips ^= {pair}
            child = GlobalArch(tuple(layers), frozenset(skips))
            if self.is_valid(child):
                return child
        return arch

    # --- vector encoding ------------------------------------------------------------------------
    def _layout(self) -> tuple[list[int], int]:
        """Upper bound of each dimension: per layer (op, filters index), depth if a range,
        then the skip slots (0 = empty, k = k-th non-adjacent pair of the deepest stack)."""
        upper = []
        for _ in range(self.hi):
            upper += [len(self.ops) - 1, max(len(self.filters) - 1, 0)]
        if self.lo != self.hi:
            upper.append(self.hi - self.lo)
        upper += [len(self._pairs)] * self.skips
        return upper, self.hi

    def encode(self, arch: GlobalArch) -> np.ndarray:
        values = []
        for k in range(self.hi):
            if k < arch.depth:
                op, f = arch.layers[k]
                values += [self.ops.index(op), 0 if f is None else self.filters.index(f)]
            else:
                values += [0, 0]
        if self.lo != self.hi:
            values.append(arch.depth - self.lo)
        slots = sorted(self._pairs.index(p) + 1 for p in arch.skips)
        values += slots + [0] * (self.skips - len(slots))
        return np.array(values, dtype=np.int64)

    def decode(self, x: np.ndarray) -> GlobalArch:
        """Any in-bounds vector gives an architecture: layers past the depth and skips that
        reach past it are ignored, repeated skips count once."""
        lower, upper = self.bounds
        values = np.clip(np.rint(np.asarray(x, dtype=float)), lower, upper).astype(int).tolist()
        pos = 2 * self.hi
        depth = self.hi
        if self.lo != self.hi:
            depth = self.lo + values[pos]
            pos += 1
        layers = []
        for k in range(depth):
            op = self.ops[values[2 * k]]
            layers.append((op, None if is_pool(op) else self.filters[values[2 * k + 1]]))
        skips = {self._pairs[s - 1] for s in values[pos:] if s > 0}
        return GlobalArch(tuple(layers), frozenset(p for p in skips if p[1] < depth))

    @property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        upper, _ = self._layout()
        return np.zeros(len(upper)), np.array(upper, dtype=float)

    @property
    def nix(self) -> int:
        return len(self._layout()[0])

    # --- identity -------------------------------------------------------------------------------
    def key(self, arch: GlobalArch) -> str:
        return str(arch)

    def canonical(self, arch: GlobalArch) -> str:
        return str(arch)

    def parse(self, text: str) -> GlobalArch:
        return GlobalArch.parse(text)

    def size(self) -> int:
        """Σ over depths d of (choices per layer)^d × (skip sets of size ≤ skips among the
        (d-1)(d-2)/2 non-adjacent pairs)."""
        total = 0
        for d in range(self.lo, self.hi + 1):
            pairs = (d - 1) * (d - 2) // 2  # counted, never listed
            term, skip_sets = 1, 1  # C(pairs, 0); then C(pairs, s) from C(pairs, s - 1)
            for s in range(1, min(self.skips, pairs) + 1):
                term = term * (pairs - s + 1) // s
                skip_sets += term
            total += len(self._choices) ** d * skip_sets
        return total

    # --- descriptors ----------------------------------------------------------------------------
    def environment(self) -> GlobalEnvironment:
        """Stacks built layer by layer (`nasdsl.spaces.global_environment`)."""
        return GlobalEnvironment(self)

    def to_descriptor(self, arch: GlobalArch) -> NeuralDescriptor:
        """Layers '0_Layer' … in order, the op name as layer class and {'filters': f} (or {}
        for pooling) as parameters; sequential connections plus the skips."""
        d = NeuralDescriptor()
        for op, f in arch.layers:
            d.add_layer_sequential(op, {} if f is None else {"filters": f})
        names = list(d.layers)
        for i, j in sorted(arch.skips):
            d.connect_layers(names[i], names[j])
        return d

    def from_descriptor(self, descriptor: Any) -> GlobalArch:
        d = descriptor if isinstance(descriptor, NeuralDescriptor) \
            else NeuralDescriptor.from_nord(descriptor)
        order = d.topological_order()
        index = {name: k for k, name in enumerate(order)}
        layers = []
        for name in order:
            op, params = d.layers[name]
            f = (params or {}).get("filters")
            layers.append((op, None if f is None else int(f)))
        skips = set()
        for origin, targets in d.connections.items():
            for target in targets:
                i, j = index[origin], index[target]
                if j != i + 1:
                    skips.add((i, j))
        return GlobalArch(tuple(layers), frozenset(skips))


def _skip_pairs(depth: int) -> list[tuple[int, int]]:
    return [(i, j) for i, j in itertools.combinations(range(depth), 2) if j > i + 1]


def _skip_pair_count(depth: int) -> int:
    """len(_skip_pairs(depth)), without listing them (half a million at 1000 layers)."""
    return max(depth - 1, 0) * max(depth - 2, 0) // 2


def _skip_pair(depth: int, k: int) -> tuple[int, int]:
    """_skip_pairs(depth)[k], without listing them: row i holds (i, i+2) … (i, depth-1)."""
    for i in range(depth):
        row = depth - i - 2
        if k < row:
            return i, i + 2 + k
        k -= row
    raise IndexError("no such skip pair")


_TRIES = 200
