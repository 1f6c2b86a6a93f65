"""The controllers' numpy networks: gradients worked out by hand agree with finite differences
(in float64), the LSTM reads only a state's tokens, Adam follows Keras's formula, and the
Q-network's training steps fit their targets."""
from __future__ import annotations

import numpy as np
import pytest

from nasdsl.optimizers.neural import Adam, HeadInit, Network
from nasdsl.optimizers.policy_network import PolicyNetwork, PolicyShape, PPOSettings


def _tokens(rng: np.random.Generator, lengths: list[int], width: int, vocabulary: int
            ) -> np.ndarray:
    """States as the environment writes them: distinct tokens first, then padding."""
    out = np.zeros((len(lengths), width), dtype=np.int32)
    for row, n in enumerate(lengths):
        out[row, :n] = rng.choice(np.arange(1, vocabulary), size=n, replace=False)
    return out


def _numeric_gradient(loss, flat: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(flat)
    for k in range(len(flat)):
        step = np.zeros_like(flat)
        step[k] = h
        out[k] = (loss(flat + step) - loss(flat - step)) / (2 * h)
    return out


@pytest.mark.parametrize("kind,units,lengths", [
    ("dense", (6, 5), [3, 6, 1, 2]), ("lstm", (5,), [3, 6, 0, 1])], ids=["dense", "lstm"])
def test_backward_passes_match_finite_differences(kind, units, lengths):
    rng = np.random.default_rng(0)
    network = Network(kind, units, 12, (HeadInit(3), HeadInit(1, stddev=0.01)),
                      dtype=np.float64)
    flat = network.initial(1) + rng.normal(0.0, 0.1, network.layout.size)  # off ReLU kinks
    tokens = _tokens(rng, lengths, 6, 12)
    weights = rng.normal(size=(len(lengths), 4))
    out, cache = network.forward(flat, tokens)
    grad = network.backward(flat, cache, weights)
    numeric = _numeric_gradient(lambda f: float((network.forward(f, tokens)[0] * weights).sum()),
                                flat)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7)


def test_the_lstm_reads_only_the_tokens_of_a_state():
    """A state's output is the same alone and beside longer states (padding is not read)."""
    rng = np.random.default_rng(2)
    network = Network("lstm", (8,), 30, (HeadInit(4),))
    flat = network.initial(3)
    tokens = _tokens(rng, [2, 9, 5], 10, 30)
    together = network.forward(flat, tokens)[0]
    for row in range(3):
        alone = network.forward(flat, tokens[row:row + 1, :int(np.count_nonzero(tokens[row]))])
        np.testing.assert_allclose(alone[0][0], together[row], rtol=1e-5, atol=1e-6)
    # The input table a target network keeps gives the same outputs.
    np.testing.assert_allclose(network.forward(flat, tokens, network.input_table(flat))[0],
                               together, rtol=1e-5, atol=1e-6)
    # Only the tokens matter: a different first token changes a state's output.
    changed = tokens.copy()
    changed[0, 0] = next(t for t in range(1, 30) if t not in tokens[0])
    assert not np.allclose(network.forward(flat, changed)[0][0], together[0])


def test_the_ppo_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(4)
    shape = PolicyShape(units=5, vocabulary=15, length=6, actions=4)
    policy = PolicyNetwork(shape, 0, PPOSettings(0.001, clip=0.2, entropy=0.05, value=0.5))
    flat = policy.weights.astype(np.float64) + rng.normal(0.0, 0.3, len(policy.weights))
    n = 7
    states = _tokens(rng, [1, 2, 3, 4, 5, 3, 2], 6, 15)
    masks = rng.random((n, 4)) < 0.7
    masks[:, 0] = True
    actions = np.array([np.flatnonzero(m)[-1] for m in masks])
    # Old log-probabilities far and near: ratios on both sides of the clip range.
    old = rng.normal(-1.0, 0.8, n)
    advantages, returns = rng.normal(size=n), rng.random(n)
    weight = np.array([1, 1, 1, 1, 1, 1, 0], dtype=np.float64)

    def loss(f: np.ndarray) -> float:
        return policy.loss_and_gradient(f, states, masks, actions, advantages, old, returns,
                                        weight)[0]

    grad = policy.loss_and_gradient(flat, states, masks, actions, advantages, old, returns,
                                    weight)[1]
    np.testing.assert_allclose(grad, _numeric_gradient(loss, flat), rtol=1e-4, atol=1e-7)


def test_adam_takes_keras_steps():
    """Keras's Adam: the first step moves every weight by the learning rate, against the
    gradient's sign; later steps follow the bias-corrected moments."""
    flat = np.zeros(3, dtype=np.float32)
    adam = Adam(3, learning_rate=0.1)
    adam.step(flat, np.array([2.0, -0.5, 0.0], dtype=np.float32))
    np.testing.assert_allclose(flat, [-0.1, 0.1, 0.0], atol=1e-6)
    adam.step(flat, np.array([2.0, 0.5, 0.0], dtype=np.float32))
    m = np.array([2.0 * 0.1 * 0.9 + 2.0 * 0.1, -0.5 * 0.1 * 0.9 + 0.5 * 0.1])
    v = np.array([4.0 * 0.001 * 0.999 + 4.0 * 0.001, 0.25 * 0.001 * 0.999 + 0.25 * 0.001])
    rate = 0.1 * np.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2)
    np.testing.assert_allclose(flat[:2], [-0.1, 0.1] - rate * m / (np.sqrt(v) + 1e-7),
                               rtol=1e-5)


@pytest.mark.parametrize("kind,units,target_update",
                         [("dense", (16, 16), 5), ("lstm", (16,), None)],
                         ids=["dense-two-networks", "lstm-one-network"])
def test_q_network_training_steps_fit_their_targets(kind, units, target_update):
    """Final transitions (done): the targets are the rewards, so Q(s, a) learns them."""
    from nasdsl.optimizers.qnetwork import QNetworks, Shape

    rng = np.random.default_rng(5)
    networks = QNetworks(Shape(kind, units, 20, 6, 4), 0, 0.01, 1.0, target_update)
    states = _tokens(rng, [1, 2, 3, 4, 5, 2, 3, 1], 6, 20)
    actions = rng.integers(0, 4, size=8)
    rewards = rng.random(8).astype(np.float32)
    batch = (states, actions, rewards, np.zeros_like(states), np.ones((8, 4), dtype=bool),
             np.ones(8, dtype=np.float32))
    steps = 40
    first = networks.train(*(np.stack([a] * steps) for a in batch)) / steps
    for _ in range(9):
        last = networks.train(*(np.stack([a] * steps) for a in batch)) / steps
    assert networks.training_steps == 10 * steps
    assert last < first / 20
    q = networks.q_values(states)[np.arange(8), actions]
    np.testing.assert_allclose(q, rewards, atol=0.05)
