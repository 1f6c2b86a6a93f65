"""The policy network of the PPO controller: a Keras 3 LSTM with a policy and a value head,
compiled sampling and PPO updates.

The network reads a state (the environment's token sequence: the decisions so far, then the
pending decision's slot) with an embedding and an LSTM, as Zoph & Le's controller reads its
previous decisions, and gives one logit per action and a value (the fitness it expects the
episode to end with). Disallowed actions get a logit of -1e9, so their probability is zero.

Each run owns its weights as TensorFlow variables; the compiled functions take them as
arguments and call the Keras model statelessly, so one trace serves every run of the same
shape (a study runs dozens), and the PPO settings travel as a tensor, not in the trace. An
update runs all its minibatch steps in one call, in the graph: it first takes the old
policy's log-probabilities and values of every transition of the batch, normalises the
advantages (return minus value) over the batch, then for each minibatch step the clipped
surrogate, the value loss and the entropy bonus, clips the gradient's global norm and takes
an Adam step.

Runs are deterministic for a seed: initial weights come from seeded Keras initializers and
TensorFlow's op determinism is on (as for the Q-networks), so a replayed run trains exactly
as it did.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from nasdsl.quiet_tensorflow import keras, tf

if keras.backend.backend() != "tensorflow":  # pragma: no cover - depends on the user's setup
    raise ImportError("the ppo controller needs Keras with the TensorFlow backend "
                      f"(KERAS_BACKEND is {keras.backend.backend()!r})")

tf.config.experimental.enable_op_determinism()

MASKED = -1e9
"""Logit of a disallowed action (finite, so that 0 × it is 0)."""
MAX_GRADIENT_NORM = 0.5
"""Each step's gradient is scaled down to this global norm at most (PPO's usual value)."""
_BETA_1, _BETA_2, _ADAM_EPSILON = 0.9, 0.999, 1e-7
"""Keras's Adam defaults."""


@dataclass(frozen=True)
class PolicyShape:
    """What a compiled function depends on: the LSTM's units and the environment's sizes."""

    units: int
    vocabulary: int
    length: int          # tokens per state
    actions: int


@dataclass(frozen=True)
class PPOSettings:
    """The numbers of a PPO update (passed to the compiled update as one tensor)."""

    learning_rate: float
    clip: float
    entropy: float
    value: float

    def tensor(self) -> tf.Tensor:
        return tf.constant([self.learning_rate, self.clip, self.entropy, self.value,
                            MAX_GRADIENT_NORM], dtype=tf.float32)


def build_policy(shape: PolicyShape, seed: int) -> keras.Model:
    """The Keras model of `shape` (tokens → logits, value), initialized from `seed` alone."""
    seeds = iter(np.random.default_rng(seed).integers(0, 2**31 - 1, size=8).tolist())
    tokens = keras.Input((shape.length,), dtype="int32")
    x = keras.layers.Embedding(shape.vocabulary, shape.units, mask_zero=True,
                               embeddings_initializer=keras.initializers.RandomUniform(
                                   -0.05, 0.05, seed=next(seeds)))(tokens)
    x = keras.layers.LSTM(shape.units, unroll=True,
                          kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
                          recurrent_initializer=keras.initializers.Orthogonal(
                              seed=next(seeds)))(x)
    # Small initial logits: the first policy is close to uniform over the allowed actions.
    logits = keras.layers.Dense(shape.actions, kernel_initializer=keras.initializers.
                                RandomNormal(stddev=0.01, seed=next(seeds)))(x)
    value = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(
        seed=next(seeds)))(x)
    return keras.Model(tokens, [logits, value])


class _Compiled:
    """The compiled functions of one shape (shared by every run of that shape)."""

    def __init__(self, shape: PolicyShape):
        self.model = build_policy(shape, 0)  # the structure; each run brings its weights
        self.fixed = [tf.constant(v.numpy()) for v in self.model.non_trainable_variables]
        self.shape = shape
        self.logits: Any = None
        self.update: Any = None

    def trace(self, weights: list[tf.Variable], first: list[tf.Variable],
              second: list[tf.Variable], counters: tf.Variable, settings: tf.Tensor) -> None:
        """Trace both functions once, for any batch and any number of steps."""
        if self.update is not None:
            return
        length, actions = self.shape.length, self.shape.actions
        self.logits = tf.function(self._logits).get_concrete_function(
            weights, tf.TensorSpec([None, length], tf.int32))
        self.update = tf.function(self._update).get_concrete_function(
            weights, first, second, counters, settings,
            tf.TensorSpec([None, length], tf.int32), tf.TensorSpec([None, actions], tf.bool),
            tf.TensorSpec([None], tf.int32), tf.TensorSpec([None], tf.float32),
            tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([None, None], tf.float32))

    def _forward(self, weights: Sequence[Any], tokens: Any) -> tuple[Any, Any]:
        (logits, value), _ = self.model.stateless_call(list(weights), self.fixed, tokens)
        return logits, value[:, 0]

    def _logits(self, weights: Sequence[tf.Variable], tokens: tf.Tensor) -> tf.Tensor:
        return self._forward([w.read_value() for w in weights], tokens)[0]

    @staticmethod
    def _log_policy(logits: tf.Tensor, masks: tf.Tensor) -> tf.Tensor:
        return tf.nn.log_softmax(tf.where(masks, logits, MASKED), axis=1)

    def _update(self, weights: Sequence[tf.Variable], first: Sequence[tf.Variable],
                second: Sequence[tf.Variable], counters: tf.Variable, settings: tf.Tensor,
                states: tf.Tensor, masks: tf.Tensor, actions: tf.Tensor, returns: tf.Tensor,
                indices: tf.Tensor, present: tf.Tensor) -> tf.Tensor:
        """PPO steps on one batch of transitions `states` (N, length) …, one step per row of
        `indices` (steps, minibatch; rows into the batch) weighted by `present` (0 pads a
        short minibatch). `settings`: (learning rate, clip, entropy, value, gradient norm);
        `counters`: (updates, Adam steps)."""
        learning_rate, clip, entropy_weight, value_weight, max_norm = (
            settings[0], settings[1], settings[2], settings[3], settings[4])
        old_logits, old_values = self._forward([w.read_value() for w in weights], states)
        old_log_p = tf.gather(self._log_policy(old_logits, masks), actions, batch_dims=1)
        advantages = returns - old_values
        mean, variance = tf.nn.moments(advantages, axes=[0])
        advantages = tf.stop_gradient((advantages - mean) / (tf.sqrt(variance) + 1e-8))
        old_log_p = tf.stop_gradient(old_log_p)
        total = tf.constant(0.0)
        for i in tf.range(tf.shape(indices)[0]):
            rows, w = indices[i], present[i]
            s, m, a = tf.gather(states, rows), tf.gather(masks, rows), tf.gather(actions, rows)
            adv, old, ret = (tf.gather(advantages, rows), tf.gather(old_log_p, rows),
                             tf.gather(returns, rows))
            current = [v.read_value() for v in weights]
            with tf.GradientTape() as tape:
                tape.watch(current)
                logits, value = self._forward(current, s)
                log_p = self._log_policy(logits, m)
                ratio = tf.exp(tf.gather(log_p, a, batch_dims=1) - old)
                surrogate = tf.minimum(ratio * adv,
                                       tf.clip_by_value(ratio, 1.0 - clip, 1.0 + clip) * adv)
                entropy = -tf.reduce_sum(tf.where(m, tf.exp(log_p) * log_p, 0.0), axis=1)
                per_row = (-surrogate + value_weight * tf.square(value - ret)
                           - entropy_weight * entropy)
                loss = tf.reduce_sum(w * per_row) / tf.maximum(tf.reduce_sum(w), 1.0)
            grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, current)]
            grads, _ = tf.clip_by_global_norm(grads, max_norm)
            step = counters[1] + 1.0
            counters[1].assign(step)
            rate = learning_rate * tf.sqrt(1.0 - _BETA_2 ** step) / (1.0 - _BETA_1 ** step)
            for v, g, m1, m2 in zip(weights, grads, first, second):
                m1.assign_add((g - m1) * (1.0 - _BETA_1))
                m2.assign_add((tf.square(g) - m2) * (1.0 - _BETA_2))
                v.assign_sub(rate * m1 / (tf.sqrt(m2) + _ADAM_EPSILON))
            total += loss
        counters[0].assign(counters[0] + 1.0)
        return total


_COMPILED: dict[PolicyShape, _Compiled] = {}


def _compiled(shape: PolicyShape) -> _Compiled:
    if shape not in _COMPILED:
        _COMPILED[shape] = _Compiled(shape)
    return _COMPILED[shape]


class PolicyNetwork:
    """One run's policy network, with its Adam state."""

    def __init__(self, shape: PolicyShape, seed: int, settings: PPOSettings):
        self.shape = shape
        self._compiled = _compiled(shape)
        initial = [v.numpy() for v in build_policy(shape, seed).trainable_variables]
        self.weights = [tf.Variable(w) for w in initial]
        self._first = [tf.Variable(np.zeros_like(w)) for w in initial]
        self._second = [tf.Variable(np.zeros_like(w)) for w in initial]
        self._counters = tf.Variable(np.zeros(2, dtype=np.float32))
        self._settings = settings.tensor()
        self._compiled.trace(self.weights, self._first, self._second, self._counters,
                             self._settings)

    @property
    def updates(self) -> int:
        """PPO updates so far (one per batch of episodes)."""
        return int(self._counters[0].numpy())

    @property
    def steps(self) -> int:
        """Minibatch steps so far."""
        return int(self._counters[1].numpy())

    def logits(self, tokens: np.ndarray) -> np.ndarray:
        """Logits of a batch of states (batch, length) in one call: (batch, actions)."""
        return self._compiled.logits(self.weights, tf.constant(tokens, dtype=tf.int32)).numpy()

    def update(self, states: np.ndarray, masks: np.ndarray, actions: np.ndarray,
               returns: np.ndarray, indices: np.ndarray, present: np.ndarray) -> float:
        """One PPO update (see `_Compiled._update`); returns the summed loss of its steps."""
        loss = self._compiled.update(
            self.weights, self._first, self._second, self._counters, self._settings,
            tf.constant(states, tf.int32), tf.constant(masks, tf.bool),
            tf.constant(actions, tf.int32), tf.constant(returns, tf.float32),
            tf.constant(indices, tf.int32), tf.constant(present, tf.float32))
        return float(loss.numpy())
