"""Real training: datasets found offline, descriptors built into Keras models, the shape rules.

`shapes` and `datasets` need only numpy, so plans can be checked (a pooling layer below 1×1,
a dataset that cannot be found) without importing TensorFlow; `builder` and `pipeline` import
TensorFlow and Keras when used.
"""
from __future__ import annotations

from nasdsl.lazy import lazy_exports

_EXPORTS = {
    "build_model": "nasdsl.training.builder",
    "count_flops": "nasdsl.training.builder",
    "ShapeError": "nasdsl.training.shapes",
    "load_dataset": "nasdsl.training.datasets",
    "locate_dataset": "nasdsl.training.datasets",
    "Dataset": "nasdsl.training.datasets",
}


__getattr__ = lazy_exports(_EXPORTS)


__all__ = list(_EXPORTS)
