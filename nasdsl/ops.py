"""Operation names: the `.nas` spelling and the NAS-Bench-101 / NORD spelling.

Cells hold the `.nas` names (`conv3x3`) plus `input` and `output`; descriptors and the
NAS-Bench-101 table use the benchmark's strings (`conv3x3-bn-relu`).
"""
from __future__ import annotations

INPUT = "input"
OUTPUT = "output"

# .nas name -> NAS-Bench-101 op string, in NORD's get_available_ops() order.
NASBENCH101_OPS: dict[str, str] = {
    "conv1x1": "conv1x1-bn-relu",
    "conv3x3": "conv3x3-bn-relu",
    "maxpool3x3": "maxpool3x3",
}
# NAS-Bench-101 hashing labels (graph_util convention): -1 input, -2 output, then the index
# in the table's op_names order ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3'].
NASBENCH101_LABELS: dict[str, int] = {
    INPUT: -1,
    OUTPUT: -2,
    "conv3x3": 0,
    "conv1x1": 1,
    "maxpool3x3": 2,
}
FROM_NASBENCH101: dict[str, str] = {v: k for k, v in NASBENCH101_OPS.items()}

# Every op a cell vertex may take (cell space, Keras evaluator) and every layer type of the
# global space. The NAS-Bench-101 evaluator accepts only NASBENCH101_OPS.
CELL_OPS = ("conv1x1", "conv3x3", "conv5x5", "maxpool3x3", "avgpool3x3")
GLOBAL_OPS = ("conv1x1", "conv3x3", "conv5x5", "maxpool2x2", "avgpool2x2")


def from_nasbench101(op: str) -> str:
    """NAS-Bench-101 string (or a `.nas` name) -> `.nas` name."""
    if op in (INPUT, OUTPUT):
        return op
    return FROM_NASBENCH101.get(op, op)
