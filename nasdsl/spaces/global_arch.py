"""An architecture of the global space: a stack of layers plus skips (its own module, so
that the space and its decision environment both build one without importing each other)."""
from __future__ import annotations

from dataclasses import dataclass

Layer = tuple[str, int | None]


@dataclass(frozen=True)
class GlobalArch:
    """Immutable stack of layers plus skip connections (i, j) between non-adjacent layers."""

    layers: tuple[Layer, ...]
    skips: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple((str(op), None if f is None else int(f))
                                                 for op, f in self.layers))
        object.__setattr__(self, "skips", frozenset((int(i), int(j)) for i, j in self.skips))

    @property
    def depth(self) -> int:
        return len(self.layers)

    def __str__(self) -> str:
        layers = " ".join(op if f is None else f"{op}/{f}" for op, f in self.layers)
        skips = " ".join(f"{i}>{j}" for i, j in sorted(self.skips))
        return f"{layers} | {skips}".rstrip()

    @classmethod
    def parse(cls, text: str) -> "GlobalArch":
        """Inverse of `str(arch)`: 'conv3x3/64 maxpool2x2 conv3x3/32 | 0>2'."""
        try:
            layers_text, _, skips_text = text.partition("|")
            layers = []
            for token in layers_text.split():
                op, _, filters = token.partition("/")
                layers.append((op, int(filters) if filters else None))
            skips = []
            for token in skips_text.split():
                i, _, j = token.partition(">")
                skips.append((int(i), int(j)))
            return cls(tuple(layers), frozenset(skips))
        except ValueError as exc:
            raise ValueError(f"not a global architecture: {text!r} ({exc})") from None
