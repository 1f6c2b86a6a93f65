"""The DQN controller's Q-networks as they were before numpy (Keras 3 and compiled TensorFlow
functions), kept here only as `bench_dqn.py`'s baseline: the same algorithm, interface and
minibatch draws, so the bench times both in one run.

A network maps a state (the environment's token sequence) to one Q-value per action:
`dense(units)` reads the set of tokens (a dense layer over the multi-hot state, then more
dense layers), `lstm(units)` reads the sequence (an embedding of `units`, an LSTM of `units`,
a linear head). Each run owns its weights as TensorFlow variables; the compiled functions
take them as arguments and call the Keras model statelessly, so one trace serves every run
of the same shape (a study runs dozens). Training runs several steps per call, in the graph:
a minibatch per step, targets `r + γ · max over allowed a' of Q_target(s', a')` computed for
the whole minibatch at once, mean squared error, Adam, and the target network copied every
`target_update` steps (or no target network: the prediction network is its own target).

Runs are deterministic for a seed: initial weights come from seeded Keras initializers, and
TensorFlow's op determinism is switched on, so a replayed run trains exactly as it did.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

if keras.backend.backend() != "tensorflow":  # pragma: no cover - depends on the user's setup
    raise ImportError("the dqn controller needs Keras with the TensorFlow backend "
                      f"(KERAS_BACKEND is {keras.backend.backend()!r})")

tf.config.experimental.enable_op_determinism()

_MASKED = -1e9
"""Q-value given to disallowed actions before a max (finite, so that 0 × it is 0)."""
_BETA_1, _BETA_2, _ADAM_EPSILON = 0.9, 0.999, 1e-7
"""Keras's Adam defaults."""


@dataclass(frozen=True)
class Shape:
    """What a compiled function depends on: the network and the environment's sizes."""

    kind: str            # "dense" or "lstm"
    units: tuple[int, ...]
    vocabulary: int
    length: int          # tokens per state
    actions: int


class TokenBag(keras.layers.Layer):
    """A dense layer over the multi-hot form of a token sequence (token 0 is padding):
    the sum of one kernel row per token, plus a bias."""

    def __init__(self, vocabulary: int, units: int, seed: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.vocabulary, self.units, self.seed = vocabulary, units, seed

    def build(self, input_shape: Any) -> None:
        self.kernel = self.add_weight(
            shape=(self.vocabulary, self.units), name="kernel",
            initializer=keras.initializers.GlorotUniform(seed=self.seed))
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def call(self, tokens: Any) -> Any:
        rows = keras.ops.take(self.kernel, tokens, axis=0)
        present = keras.ops.expand_dims(keras.ops.cast(tokens > 0, rows.dtype), -1)
        return keras.ops.sum(rows * present, axis=1) + self.bias


def build_model(shape: Shape, seed: int) -> keras.Model:
    """The Keras model of `shape`, initialized from `seed` alone."""
    seeds = iter(np.random.default_rng(seed).integers(0, 2**31 - 1, size=16).tolist())
    glorot = lambda: keras.initializers.GlorotUniform(seed=next(seeds))  # noqa: E731
    tokens = keras.Input((shape.length,), dtype="int32")
    if shape.kind == "dense":
        x = keras.layers.Activation("relu")(TokenBag(shape.vocabulary, shape.units[0],
                                                     next(seeds))(tokens))
        for units in shape.units[1:]:
            x = keras.layers.Dense(units, activation="relu", kernel_initializer=glorot())(x)
    elif shape.kind == "lstm":
        (units,) = shape.units
        x = keras.layers.Embedding(shape.vocabulary, units, mask_zero=True,
                                   embeddings_initializer=keras.initializers.RandomUniform(
                                       -0.05, 0.05, seed=next(seeds)))(tokens)
        x = keras.layers.LSTM(units, unroll=True, kernel_initializer=glorot(),
                              recurrent_initializer=keras.initializers.Orthogonal(
                                  seed=next(seeds)))(x)
    else:
        raise ValueError(f"unknown network {shape.kind!r}")
    q = keras.layers.Dense(shape.actions, kernel_initializer=glorot())(x)
    return keras.Model(tokens, q)


class _Compiled:
    """The compiled functions of one shape (shared by every run of that shape)."""

    def __init__(self, shape: Shape, two_networks: bool):
        self.model = build_model(shape, 0)  # the structure; each run brings its weights
        self.fixed = [tf.constant(v.numpy()) for v in self.model.non_trainable_variables]
        self.two_networks = two_networks
        self.shape = shape
        self.q_values: Any = None
        self.train: Any = None

    def trace(self, weights: list[tf.Variable], target: list[tf.Variable],
              first: list[tf.Variable], second: list[tf.Variable],
              counters: tf.Variable, settings: tf.Tensor) -> None:
        """Trace both functions once, for any batch and any number of steps. Runs call the
        concrete functions: no dispatch on argument types per call."""
        if self.train is not None:
            return
        length, actions = self.shape.length, self.shape.actions
        self.q_values = tf.function(self._q_values).get_concrete_function(
            weights, tf.TensorSpec([None, length], tf.int32))
        self.train = tf.function(self._train).get_concrete_function(
            weights, target, first, second, counters, settings,
            tf.TensorSpec([None, None, length], tf.int32), tf.TensorSpec([None, None], tf.int32),
            tf.TensorSpec([None, None], tf.float32), tf.TensorSpec([None, None, length], tf.int32),
            tf.TensorSpec([None, None, actions], tf.bool), tf.TensorSpec([None, None], tf.float32))

    def _forward(self, weights: Sequence[Any], tokens: Any) -> Any:
        q, _ = self.model.stateless_call(list(weights), self.fixed, tokens)
        return q

    def _q_values(self, weights: Sequence[tf.Variable], tokens: tf.Tensor) -> tf.Tensor:
        return self._forward([w.read_value() for w in weights], tokens)

    def _train(self, weights: Sequence[tf.Variable], target: Sequence[tf.Variable],
               first: Sequence[tf.Variable], second: Sequence[tf.Variable],
               counters: tf.Variable, settings: tf.Tensor, states: tf.Tensor,
               actions: tf.Tensor, rewards: tf.Tensor, next_states: tf.Tensor,
               next_masks: tf.Tensor, dones: tf.Tensor) -> tf.Tensor:
        """`states` etc. hold one minibatch per step: shape (steps, batch, …). `settings` is
        (learning rate, gamma, target_update); `counters` (training steps, Adam steps)."""
        learning_rate, gamma, every = settings[0], settings[1], settings[2]
        total = tf.constant(0.0)
        for i in tf.range(tf.shape(states)[0]):
            source = target if self.two_networks else weights
            q_next = self._forward([w.read_value() for w in source], next_states[i])
            best_next = tf.reduce_max(tf.where(next_masks[i], q_next, _MASKED), axis=1)
            y = tf.stop_gradient(rewards[i] + gamma * (1.0 - dones[i]) * best_next)
            current = [w.read_value() for w in weights]
            with tf.GradientTape() as tape:
                tape.watch(current)
                q = self._forward(current, states[i])
                chosen = tf.gather(q, actions[i], batch_dims=1)
                loss = tf.reduce_mean(tf.square(y - chosen))
            grads = tape.gradient(loss, current)
            step = counters[1] + 1.0
            counters[1].assign(step)
            rate = learning_rate * tf.sqrt(1.0 - _BETA_2 ** step) / (1.0 - _BETA_1 ** step)
            for w, g, m, v in zip(weights, grads, first, second):
                g = tf.convert_to_tensor(g)
                m.assign_add((g - m) * (1.0 - _BETA_1))
                v.assign_add((tf.square(g) - v) * (1.0 - _BETA_2))
                w.assign_sub(rate * m / (tf.sqrt(v) + _ADAM_EPSILON))
            counters[0].assign(counters[0] + 1.0)
            if self.two_networks and tf.math.floormod(counters[0], every) == 0.0:
                for t, w in zip(target, weights):
                    t.assign(w)
            total += loss
        return total


_COMPILED: dict[tuple[Shape, bool], _Compiled] = {}


def _compiled(shape: Shape, two_networks: bool) -> _Compiled:
    key = (shape, two_networks)
    if key not in _COMPILED:
        _COMPILED[key] = _Compiled(shape, two_networks)
    return _COMPILED[key]


class QNetworks:
    """One run's prediction network (and target network, when it has one), with Adam."""

    def __init__(self, shape: Shape, seed: int, learning_rate: float, gamma: float,
                 target_update: int | None):
        self.shape = shape
        self.two_networks = target_update is not None
        self._compiled = _compiled(shape, self.two_networks)
        initial = [v.numpy() for v in build_model(shape, seed).trainable_variables]
        self.weights = [tf.Variable(w) for w in initial]
        self.target = [tf.Variable(w) for w in initial] if self.two_networks else []
        self._first = [tf.Variable(np.zeros_like(w)) for w in initial]
        self._second = [tf.Variable(np.zeros_like(w)) for w in initial]
        self._counters = tf.Variable(np.zeros(2, dtype=np.float32))
        self._settings = tf.constant([learning_rate, gamma, float(target_update or 1)],
                                     dtype=tf.float32)
        self._compiled.trace(self.weights, self.target, self._first, self._second,
                             self._counters, self._settings)

    @property
    def training_steps(self) -> int:
        return int(self._counters[0].numpy())

    def q_values(self, tokens: np.ndarray) -> np.ndarray:
        """Q-values of a batch of states (batch, length) in one call: (batch, actions)."""
        return self._compiled.q_values(self.weights, tf.constant(tokens, dtype=tf.int32)).numpy()

    def train(self, states: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
              next_states: np.ndarray, next_masks: np.ndarray, dones: np.ndarray) -> float:
        """Training steps, one per leading index of the arrays; returns the summed loss."""
        loss = self._compiled.train(
            self.weights, self.target, self._first, self._second, self._counters,
            self._settings, tf.constant(states, tf.int32), tf.constant(actions, tf.int32),
            tf.constant(rewards, tf.float32), tf.constant(next_states, tf.int32),
            tf.constant(next_masks, tf.bool), tf.constant(dones, tf.float32))
        return float(loss.numpy())
