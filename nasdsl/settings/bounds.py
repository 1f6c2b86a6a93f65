"""Upper bounds of the settings that size an allocation or a loop before the first evaluation.

Each is declared with its setting (`IntType(1, MAX_POPULATION)`), so `check` refuses a value
above it at its line, with the bound and the value, before anything is allocated. They are
generous for real use (the NAS-Bench-101 skeleton is 128 channels, 3 stacks of 3 cells;
the studies' populations are at most a few hundred) and low enough that what one setting
asks for fits a machine: a run that still runs out of memory (many large settings at once)
ends with a sentence, never a traceback. The README's bounds paragraph lists them.
"""
from __future__ import annotations

MAX_POPULATION = 100_000
"""Architectures held or drawn at once by a search: populations, tournament samples, the
random architectures a local search or BANANAS starts from, a batch asked together."""
MAX_PARENTS = 10_000
"""Best architectures whose neighbourhoods BANANAS scores (each holds hundreds of cells)."""
MAX_ENSEMBLE = 1_000
"""Networks in a predictor ensemble."""
MAX_REPLAY = 10_000_000
"""Transitions in a DQN replay memory (a few hundred bytes each in a cell space)."""
MAX_BATCH = 65_536
"""Examples in one training batch (Keras `batch_size`, a DQN replay minibatch)."""
MAX_UNITS = 4_096
"""Units of one layer of a controller network (DQN, PPO)."""
MAX_NETWORK_LAYERS = 16
"""Hidden layers of a DQN's dense network."""
MAX_CHANNELS = 16_384
"""Channels of a convolution: a global space's `filters`, and the widest stack of the cell
skeleton (`stem` × 2^(`stacks` − 1)): a 3×3 convolution of 16,384 channels already holds
2.4 billion weights."""
MAX_STACKS = 64
"""Stacks, and cells per stack, of the cell skeleton."""
MAX_EPOCHS = 100_000
"""Training epochs of one candidate or of a retraining."""
MAX_WORKERS = 256
"""Worker processes on this machine (`run { workers }`)."""
MAX_TOP = 1_000
"""Architectures `final` retrains."""

__all__ = [
    "MAX_BATCH", "MAX_CHANNELS", "MAX_ENSEMBLE", "MAX_EPOCHS", "MAX_NETWORK_LAYERS",
    "MAX_PARENTS", "MAX_POPULATION", "MAX_REPLAY", "MAX_STACKS", "MAX_TOP", "MAX_UNITS",
    "MAX_WORKERS",
]
