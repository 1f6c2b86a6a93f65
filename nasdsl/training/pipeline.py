"""`tf.data` input pipelines: cached in memory, shuffled with the evaluation's seed, batched,
prefetched while the previous batch trains."""
from __future__ import annotations

import numpy as np

from nasdsl.quiet_tensorflow import tf

EVALUATION_BATCH = 1024
"""Batch size for scoring: inference holds no gradients, so larger batches are cheaper."""


def training_data(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> tf.data.Dataset:
    """Every image once per epoch, in a new order each epoch (the same orders for a seed)."""
    ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def scoring_data(x: np.ndarray, y: np.ndarray, batch_size: int = EVALUATION_BATCH
                 ) -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((x, y)).cache().batch(
        max(batch_size, 1)).prefetch(tf.data.AUTOTUNE)
