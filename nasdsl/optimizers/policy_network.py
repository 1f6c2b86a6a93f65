"""The policy network of the PPO controller: an LSTM with a policy and a value head, and its
PPO updates, in numpy.

The network reads a state (the environment's token sequence: the decisions so far, then the
pending decision's slot) with an embedding and an LSTM, as Zoph & Le's controller reads its
previous decisions, and gives one logit per action and a value (the fitness it expects the
episode to end with), one linear head of `actions + 1` columns
(`nasdsl.optimizers.neural`). Disallowed actions get a logit of -1e9, so their probability
is zero.

An update first takes the old policy's log-probabilities and values of every transition of
the batch, normalises the advantages (return minus value) over the batch, then for each
minibatch step the clipped surrogate, the value loss and the entropy bonus, clips the
gradient's global norm and takes an Adam step.

A run is determined by its seed: the initial weights come from it, and the arithmetic is the
same on every call, so a replayed run trains exactly as it did.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nasdsl.optimizers.neural import Adam, HeadInit, Network

MASKED = -1e9
"""Logit of a disallowed action (finite, so that 0 × it is 0)."""
MAX_GRADIENT_NORM = 0.5
"""Each step's gradient is scaled down to this global norm at most (PPO's usual value)."""


@dataclass(frozen=True)
class PolicyShape:
    """The LSTM's units and the environment's sizes."""

    units: int
    vocabulary: int
    length: int          # tokens per state
    actions: int


@dataclass(frozen=True)
class PPOSettings:
    """The numbers of a PPO update."""

    learning_rate: float
    clip: float
    entropy: float
    value: float


def _log_policy(logits: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Log-softmax over the allowed actions (disallowed ones: about -1e9)."""
    z = np.where(masks, logits, np.float32(MASKED))
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


class PolicyNetwork:
    """One run's policy network, with its Adam state."""

    def __init__(self, shape: PolicyShape, seed: int, settings: PPOSettings):
        self.shape = shape
        self.settings = settings
        # Small initial logits: the first policy is close to uniform over the allowed actions.
        self._network = Network("lstm", (shape.units,), shape.vocabulary,
                                (HeadInit(shape.actions, stddev=0.01), HeadInit(1)))
        self.weights = self._network.initial(seed)
        self._adam = Adam(self._network.layout.size, settings.learning_rate)
        self.updates = 0
        """PPO updates so far (one per batch of episodes)."""

    @property
    def steps(self) -> int:
        """Minibatch steps so far."""
        return self._adam.steps

    def logits(self, tokens: np.ndarray) -> np.ndarray:
        """Logits of a batch of states (batch, length): (batch, actions)."""
        return self._network.forward(self.weights, tokens)[0][:, :self.shape.actions]

    def update(self, states: np.ndarray, masks: np.ndarray, actions: np.ndarray,
               returns: np.ndarray, indices: np.ndarray, present: np.ndarray) -> float:
        """PPO steps on one batch of transitions `states` (N, length) …, one step per row of
        `indices` (steps, minibatch; rows into the batch) weighted by `present` (0 pads a
        short minibatch); returns the summed loss of its steps."""
        a = self.shape.actions
        returns = returns.astype(np.float32)
        out = self._network.forward(self.weights, states)[0]
        rows = np.arange(len(actions))
        old_log_p = _log_policy(out[:, :a], masks)[rows, actions]
        advantages = returns - out[:, a]
        advantages = (advantages - advantages.mean()) / (advantages.std() + np.float32(1e-8))
        total = 0.0
        for chosen, weight in zip(indices, present):
            total += self._step(states[chosen], masks[chosen], actions[chosen],
                                advantages[chosen], old_log_p[chosen], returns[chosen],
                                weight.astype(np.float32))
        self.updates += 1
        return total

    def _step(self, states: np.ndarray, masks: np.ndarray, actions: np.ndarray,
              advantages: np.ndarray, old_log_p: np.ndarray, returns: np.ndarray,
              weight: np.ndarray) -> float:
        """One minibatch step: the loss and its gradient, the norm clip, Adam."""
        loss, grad = self.loss_and_gradient(self.weights, states, masks, actions, advantages,
                                            old_log_p, returns, weight)
        norm = float(np.sqrt(np.dot(grad, grad)))
        if norm > MAX_GRADIENT_NORM:
            grad *= MAX_GRADIENT_NORM / norm
        self._adam.step(self.weights, grad)
        return loss

    def loss_and_gradient(self, weights: np.ndarray, states: np.ndarray, masks: np.ndarray,
                          actions: np.ndarray, advantages: np.ndarray, old_log_p: np.ndarray,
                          returns: np.ndarray, weight: np.ndarray) -> tuple[float, np.ndarray]:
        """A minibatch's PPO loss at `weights` (the clipped surrogate, the value loss and the
        entropy bonus, rows weighted by `weight`) and its gradient, worked out by hand."""
        s, a = self.settings, self.shape.actions
        out, cache = self._network.forward(weights, states)
        value = out[:, a]
        log_p = _log_policy(out[:, :a], masks)
        rows = np.arange(len(actions))
        ratio = np.exp(log_p[rows, actions] - old_log_p)
        unclipped = ratio * advantages
        clipped = np.clip(ratio, 1.0 - s.clip, 1.0 + s.clip) * advantages
        surrogate = np.minimum(unclipped, clipped)
        allowed_log_p = np.where(masks, log_p, 0.0).astype(log_p.dtype)
        p = np.where(masks, np.exp(log_p), 0.0).astype(log_p.dtype)
        entropy = -(p * allowed_log_p).sum(axis=1)
        per_row = -surrogate + s.value * (value - returns) ** 2 - s.entropy * entropy
        w = weight / max(float(weight.sum()), 1.0)
        # d loss / d log p: the entropy's, and the surrogate's through the unclipped ratio
        # where the minimum takes it; then through the log-softmax to the allowed logits.
        d_log_p = (w * s.entropy)[:, None] * p * (allowed_log_p + 1.0)
        d_log_p[rows, actions] -= w * advantages * ratio * (unclipped <= clipped)
        d_out = np.empty_like(out)
        d_out[:, :a] = np.where(masks, d_log_p - p * d_log_p.sum(axis=1, keepdims=True), 0.0)
        d_out[:, a] = w * 2.0 * s.value * (value - returns)
        return float((w * per_row).sum()), self._network.backward(weights, cache, d_out)
