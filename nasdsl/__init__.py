"""nasdsl: declared, reproducible Neural Architecture Search experiments."""
from __future__ import annotations

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy, so `import nasdsl` stays cheap for the CLI and workers.
    if name == "load":
        from nasdsl.dsl import load

        return load
    if name == "NeuralDescriptor":
        from nasdsl.descriptor import NeuralDescriptor

        return NeuralDescriptor
    if name == "Plan":
        from nasdsl.plan import Plan

        return Plan
    raise AttributeError(name)


__all__ = ["load", "NeuralDescriptor", "Plan", "__version__"]
