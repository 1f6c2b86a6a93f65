"""`tf.data` input pipelines: each epoch's images in an order drawn from (seed, epoch),
batched, prefetched while the previous batch trains."""
from __future__ import annotations

import numpy as np

from nasdsl.quiet_tensorflow import tf

EVALUATION_BATCH = 1024
"""Batch size for scoring: inference holds no gradients, so larger batches are cheaper."""


def epoch_data(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int, epoch: int
               ) -> tf.data.Dataset:
    """Every image once, in the order of epoch number `epoch` (0-based) of a training with
    `seed`: the order depends on (seed, epoch) alone, so a training continued at epoch r
    sees the same images in the same order as one that trained straight through."""
    order = np.random.default_rng([int(seed), int(epoch)]).permutation(len(x))
    ds = tf.data.Dataset.from_tensor_slices((x[order], y[order]))
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def scoring_data(x: np.ndarray, y: np.ndarray, batch_size: int = EVALUATION_BATCH
                 ) -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((x, y)).cache().batch(
        max(batch_size, 1)).prefetch(tf.data.AUTOTUNE)
