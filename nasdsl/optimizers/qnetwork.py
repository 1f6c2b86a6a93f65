"""The Q-networks of the DQN controller: prediction and training steps, in numpy.

A network maps a state (the environment's token sequence) to one Q-value per action:
`dense(units)` reads the set of tokens (a dense layer over the multi-hot state, then more
dense layers), `lstm(units)` reads the sequence (an embedding of `units`, an LSTM of `units`),
then a linear head (`nasdsl.optimizers.neural`). A training step takes one minibatch: targets
`r + γ · max over allowed a' of Q_target(s', a')` for the whole minibatch at once, mean
squared error, Adam, and the target network copied every `target_update` steps (or no target
network: the prediction network is its own target).

A run is determined by its seed: the initial weights come from it, and the arithmetic is the
same on every call, so a replayed run trains exactly as it did.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasdsl.optimizers.neural import Adam, HeadInit, Network

_MASKED = -1e9
"""Q-value given to disallowed actions before a max (finite, so that 0 × it is 0)."""


@dataclass(frozen=True)
class Shape:
    """The network and the environment's sizes."""

    kind: str            # "dense" or "lstm"
    units: tuple[int, ...]
    vocabulary: int
    length: int          # tokens per state
    actions: int


class QNetworks:
    """One run's prediction network (and target network, when it has one), with Adam."""

    def __init__(self, shape: Shape, seed: int, learning_rate: float, gamma: float,
                 target_update: int | None):
        self.shape = shape
        self.two_networks = target_update is not None
        self._network = Network(shape.kind, shape.units, shape.vocabulary,
                                (HeadInit(shape.actions),))
        self.weights = self._network.initial(seed)
        self.target = self.weights.copy() if self.two_networks else self.weights
        self._adam = Adam(self._network.layout.size, learning_rate)
        self._gamma = np.float32(gamma)
        self._every = int(target_update or 1)
        self._target_table: np.ndarray | None = None
        self.training_steps = 0

    def q_values(self, tokens: np.ndarray) -> np.ndarray:
        """Q-values of a batch of states (batch, length): (batch, actions)."""
        return self._network.forward(self.weights, tokens)[0]

    def train(self, states: np.ndarray, actions: np.ndarray, rewards: np.ndarray,
              next_states: np.ndarray, next_masks: np.ndarray, dones: np.ndarray) -> float:
        """Training steps, one per leading index of the arrays; returns the summed loss."""
        total, steps, start = 0.0, len(states), 0
        while start < steps:
            # The steps until the target network next changes share one forward pass of it.
            end = start + 1 if not self.two_networks else min(
                steps, start + self._every - self.training_steps % self._every)
            q_next = self._network.forward(
                self.target, next_states[start:end].reshape(-1, next_states.shape[-1]),
                self._table())[0]
            best_next = np.where(next_masks[start:end].reshape(-1, q_next.shape[1]), q_next,
                                 _MASKED).max(axis=1).reshape(end - start, -1)
            for i in range(start, end):
                y = rewards[i] + self._gamma * (1.0 - dones[i]) * best_next[i - start]
                total += self._step(states[i], actions[i], y)
            start = end
        return total

    def _table(self) -> np.ndarray | None:
        """The target network's reusable input table, while it stays unchanged."""
        if not self.two_networks:
            return None
        if self._target_table is None:
            self._target_table = self._network.input_table(self.target)
        return self._target_table

    def _step(self, states: np.ndarray, actions: np.ndarray, y: np.ndarray) -> float:
        """One Adam step towards the targets `y` of the actions taken."""
        network = self._network
        q, cache = network.forward(self.weights, states)
        rows = np.arange(len(actions))
        error = y - q[rows, actions]
        d_q = np.zeros_like(q)
        d_q[rows, actions] = error * np.float32(-2.0 / len(actions))
        self._adam.step(self.weights, network.backward(self.weights, cache, d_q))
        self.training_steps += 1
        if self.two_networks and self.training_steps % self._every == 0:
            self.target[:] = self.weights
            self._target_table = None
        return float(np.mean(error * error))
