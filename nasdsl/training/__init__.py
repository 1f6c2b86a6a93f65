"""Real training: datasets found offline, descriptors built into Keras models, the shape rules.

`shapes` and `datasets` need only numpy, so plans can be checked (a pooling layer below 1×1,
a dataset that cannot be found) without importing TensorFlow; `builder` and `pipeline` import
TensorFlow and Keras when used.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter, before import

_EXPORTS = {
    "build_model": "nasdsl.training.builder",
    "count_flops": "nasdsl.training.builder",
    "ShapeError": "nasdsl.training.shapes",
    "load_dataset": "nasdsl.training.datasets",
    "locate_dataset": "nasdsl.training.datasets",
    "Dataset": "nasdsl.training.datasets",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = list(_EXPORTS)
