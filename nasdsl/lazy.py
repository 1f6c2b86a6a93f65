"""Lazy exports for a package's `__init__`: the CLI and workers import only what they use
(TensorFlow, pandas and the store are heavy), while `from nasdsl.x import Name` still works."""
from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping


def lazy_exports(exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level `__getattr__` that imports `exports[name]` on first use of `name`."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(name)
        return getattr(importlib.import_module(module), name)

    return __getattr__
