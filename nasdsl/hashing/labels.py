"""Hash labels of ops, as the official code numbers them: -1 input, -2 output, 0 conv3x3-bn-relu,
1 conv1x1-bn-relu, 2 maxpool3x3. Ops outside NAS-Bench-101 (conv5x5, avgpool3x3) get the next
labels, so cells of wider spaces hash the same way; their hashes never occur in the table."""
from __future__ import annotations

from typing import Iterable

from nasdsl.ops import CELL_OPS, NASBENCH101_LABELS, NASBENCH101_OPS

INPUT_LABEL = -1
OUTPUT_LABEL = -2


def _build_labels() -> dict[str, int]:
    labels = dict(NASBENCH101_LABELS)
    for nas_name, nb_name in NASBENCH101_OPS.items():
        labels[nb_name] = NASBENCH101_LABELS[nas_name]
    next_label = max(labels.values()) + 1
    for op in CELL_OPS:
        if op not in labels:
            labels[op] = next_label
            next_label += 1
    return labels


LABELS: dict[str, int] = _build_labels()
"""Hash label of every op spelling: `.nas` names, NAS-Bench-101 strings, input, output."""


def label_of(op: str) -> int:
    """Hash label of an op (`.nas` name or NAS-Bench-101 string); ValueError if unknown."""
    try:
        return LABELS[op]
    except KeyError:
        raise _unknown_op(op) from None


def labels_of(ops: Iterable[str]) -> list[int]:
    """`label_of` of each op, in one pass; ValueError naming the first unknown op."""
    try:
        return list(map(LABELS.__getitem__, ops))
    except KeyError as e:
        raise _unknown_op(e.args[0]) from None


def _unknown_op(op: object) -> ValueError:
    return ValueError(f"unknown operation {op!r}; known: {sorted(LABELS)}")
