"""NAS-Bench-101 pruning and module hashing, bit for bit as the official benchmark does it.

The table is keyed by `graph_util.hash_module` of the *pruned* spec, so a lookup only hits
when both steps match the official code exactly: vertices off every input→output path are
dropped, then an iterated MD5 over sorted neighbour hashes (one round per vertex) is folded
into one fingerprint. Isomorphic cells therefore share one hash.

Modules of one job: `labels` (op -> hash label), `prune` (successor bitmasks, pruning),
`cell` (one cell at a time, with the memos of a `CellHasher`: what `Cell.hash` and searches
use) and `batch` (`hash_many`: many cells at once, vectorized). Both paths give identical
results; tests/hashing_reference.py keeps the plain formulation they are checked against.

"""
from __future__ import annotations

from nasdsl.hashing.batch import hash_many
from nasdsl.hashing.cell import (HASHER, CellHasher, bitmask_rows, cell_rows_hash,
                                 checked_rows, hash_rows, module_hash, spec_hash)
from nasdsl.hashing.labels import INPUT_LABEL, LABELS, OUTPUT_LABEL, label_of, labels_of
from nasdsl.hashing.prune import prune, prune_rows, reach, rows_of

__all__ = ["HASHER", "INPUT_LABEL", "LABELS", "OUTPUT_LABEL", "CellHasher", "bitmask_rows",
           "cell_rows_hash", "checked_rows", "hash_many", "hash_rows", "label_of",
           "labels_of", "module_hash", "prune", "prune_rows", "reach", "rows_of", "spec_hash"]
