"""`best.json`: each run's best architecture, per configuration, in forms other tools read.

Every entry carries the space's canonical text (`space.parse` gives the architecture back),
the NORD descriptor (`layers`: name -> [op, parameters], `connections`: name -> [names]) and,
for cell spaces, the NAS-Bench-101 spec (`matrix`, `ops` with the benchmark's op strings).
The space is rebuilt from the journal's configs table, so no plan file is needed.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from nasdsl.errors import NasdslError

BEST_JSON = "best.json"
_RUN_FIELDS = ("run", "seed", "index", "generation", "fitness", "hash", "architecture")


def space_of(space: dict) -> Any:
    """The search space a configuration ran in, from the journal's JSON of its SpaceSpec:
    nasdsl's own spaces only (`registry.built_in`), since a journal is data that anybody may
    have written — a space it names otherwise is not imported, and best.json goes without
    its descriptors (ComponentError)."""
    from nasdsl.registry import built_in

    kind = str(space.get("kind"))
    return built_in("space", kind)(**dict(space.get("settings") or {}))


def descriptor_json(descriptor: Any) -> dict:
    """A NORD `NeuralDescriptor` (or anything with `layers` and `connections`) as JSON."""
    layers = {str(name): [_op_name(layer[0]), _plain(layer[1])]
              for name, layer in descriptor.layers.items()}
    connections = {str(name): [str(t) for t in targets]
                   for name, targets in descriptor.connections.items()}
    return {"layers": layers, "connections": connections,
            "first_layer": str(getattr(descriptor, "first_layer", "")),
            "last_layer": str(getattr(descriptor, "last_layer", ""))}


def descriptor_from_json(data: dict) -> Any:
    """The `NeuralDescriptor` of a best.json `descriptor` entry (the inverse of
    `descriptor_json` for op strings and JSON parameters)."""
    from types import SimpleNamespace

    from nasdsl.descriptor import NeuralDescriptor

    shape = SimpleNamespace(layers={k: list(v) for k, v in data["layers"].items()},
                            connections=data["connections"],
                            first_layer=data.get("first_layer", ""),
                            last_layer=data.get("last_layer", ""))
    return NeuralDescriptor.from_nord(shape)


def nasbench_spec(space: Any, descriptor: Any) -> dict | None:
    """The NAS-Bench-101 (matrix, ops) of a cell's descriptor, or None for other spaces."""
    if getattr(space, "kind", None) != "cell":
        return None
    from nasdsl.nasbench101 import descriptor_to_matrix

    matrix, ops = descriptor_to_matrix(descriptor)
    return {"matrix": [[int(v) for v in row] for row in matrix], "ops": [str(o) for o in ops]}


def best_architectures(configs: pd.DataFrame, best_runs: pd.DataFrame,
                       metrics: list[str], finals: dict[str, list[dict]] | None = None) -> dict:
    """The best.json document: per configuration (journal order), each run's best, and
    what `final` retrained (`finals`: configuration key -> entries)."""
    out = []
    for cfg in configs.sort_values("position").itertuples(index=False):
        rows = best_runs[best_runs["config"] == cfg.config].sort_values("run")
        try:
            space = space_of(dict(cfg.space)) if len(rows) else None
            problem = None
        except Exception as e:  # noqa: BLE001 - a journal is data: whatever its settings do
            # to a space's constructor leaves best.json without descriptors, never a traceback
            space, problem = None, f"space not rebuilt: {e}"
        runs = [_entry(row, space, metrics) for row in rows.to_dict("records")]
        doc = {"search": cfg.search, "config": cfg.config, "space": _plain(cfg.space), "runs": runs}
        if runs:
            doc["best"] = max(runs, key=lambda r: r["fitness"])
        if finals and cfg.config in finals:
            doc["final"] = [_plain(entry) for entry in finals[cfg.config]]
        if problem:
            doc["note"] = problem
        out.append(doc)
    return {"configs": out}


def _entry(row: dict, space: Any, metrics: list[str]) -> dict:
    entry = {k: _plain(row[k]) for k in _RUN_FIELDS}
    entry["metrics"] = {m: _plain(row[m]) for m in metrics if m in row}
    if space is None:
        return entry
    try:
        descriptor = space.to_descriptor(space.parse(row["architecture"]))
        entry["descriptor"] = descriptor_json(descriptor)
        spec = nasbench_spec(space, descriptor)
    except (NasdslError, ValueError, KeyError, TypeError) as e:
        entry["note"] = f"architecture not rebuilt: {e}"
        return entry
    if spec is not None:
        entry["nasbench101"] = spec
    return entry


def write_best(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")
    return path


def _op_name(op: Any) -> str:
    """Op strings stay as they are; a layer class (Keras, torch) is named by its class."""
    if isinstance(op, str):
        return op
    return getattr(op, "__name__", None) or type(op).__name__


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN to null, tuples to lists."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
