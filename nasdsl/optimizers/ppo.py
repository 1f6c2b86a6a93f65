"""PPO controller: an LSTM policy builds architectures decision by decision (Zoph & Le's
controller, trained with Schulman et al.'s proximal policy optimization).

The study proposed it for its reinforcement-learning searcher on wide spaces. It acts in the
same decision environment as the DQN controller (`nasdsl.spaces.environment`) and is
rewarded the same way (`dqn.reward_of`: the fitness, 0 for a failed evaluation), so the two
are compared on the same episodes: one episode builds and evaluates one architecture.

Episodes come in batches of `batch`, played side by side: at each decision the policy
network (`policy_network.PolicyNetwork`) gives the logits of every unfinished episode in one
call, and each episode samples its action from the softmax over its allowed actions (the
others have probability zero, so no episode ever takes one). The batch is evaluated together
(one generation of the journal), every decision of an episode gets the episode's reward as
its return, and the network takes one PPO update: `epochs` passes over the batch's decisions
in `minibatches` shuffled minibatches, the clipped surrogate (`clip`), the value head's
squared error (weight `value`) and an entropy bonus (weight `entropy`), Adam with
`learning_rate`.

At the end the greedy policy (the most likely allowed action at each decision) builds one
more architecture, not evaluated: `outcome()` reports it, as the DQN controller does.
"""
from __future__ import annotations

from typing import Any, ClassVar, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.dqn import reward_of
from nasdsl.optimizers.neural import one_blas_thread
from nasdsl.optimizers.policy_network import PolicyNetwork, PolicyShape, PPOSettings
from nasdsl.settings import IntType, NumberType, Param, Review, SettingError, within_bounds
from nasdsl.settings.bounds import MAX_POPULATION, MAX_UNITS
from nasdsl.spaces.base import Space
from nasdsl.spaces.environment import Environment, Episode
from nasdsl.wording import count

UNITS = Param("units", IntType(1, MAX_UNITS), 64, "LSTM units (and embedding size)")
BATCH = Param("batch", IntType(1, MAX_POPULATION), 10, "episodes played and evaluated per update")
EPOCHS = Param("epochs", IntType(1, 100), 4, "passes over a batch's decisions per update")
MINIBATCHES = Param("minibatches", IntType(1, 1000), 4, "minibatches per pass")
CLIP = Param("clip", NumberType(0.0, 1.0, lo_open=True, hi_open=True), 0.2,
             "surrogate clip range ε: ratios kept within [1-ε, 1+ε]")
ENTROPY = Param("entropy", NumberType(0.0, 1.0), 0.05, "weight of the entropy bonus")
VALUE = Param("value", NumberType(0.0, 100.0), 0.5, "weight of the value head's loss")
LEARNING_RATE = Param("learning_rate", NumberType(0.0, 1.0, lo_open=True), 0.001,
                      "Adam's step size")


class PPOSearch(Optimizer):
    """PPO controller: an LSTM policy builds each architecture decision by decision.

    Zoph & Le's controller with a value head, trained by proximal policy optimization.

    `units` (64), `batch` (10 episodes per update), `epochs` (4), `minibatches` (4), `clip`
    (0.2), `entropy` (0.05), `value` (0.5), `learning_rate` (0.001, Adam).
    Generation g is the g-th batch of episodes."""

    name: ClassVar[str] = "ppo"
    parameters: ClassVar = (UNITS, BATCH, EPOCHS, MINIBATCHES, CLIP, ENTROPY, VALUE,
                            LEARNING_RATE)

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return int(settings.get("batch", BATCH.default))

    @classmethod
    def validate(cls, review: Review) -> None:
        """A batch must leave budget for a second one, else the policy never learns."""
        budget, batch = review.budget, review.values["batch"]
        if budget is not None and budget.unit == "evaluations" and batch >= budget.amount:
            raise SettingError(f"`batch` ({count(batch, 'episode')}) must be below the budget "
                               f"({int(budget.amount)} evaluations): the policy is updated "
                               "after each batch, so it would never learn", "batch")

    def __init__(self, space: Space, units: int = UNITS.default, batch: int = BATCH.default,
                 epochs: int = EPOCHS.default, minibatches: int = MINIBATCHES.default,
                 clip: float = CLIP.default, entropy: float = ENTROPY.default,
                 value: float = VALUE.default, learning_rate: float = LEARNING_RATE.default):
        values = {"units": units, "batch": batch, "epochs": epochs,
                  "minibatches": minibatches, "clip": clip, "entropy": entropy,
                  "value": value, "learning_rate": learning_rate}
        within_bounds(self.parameters, values)  # the language's bounds, for Python callers
        self.units, self.batch, self.epochs = int(units), int(batch), int(epochs)
        self.minibatches = int(minibatches)
        self.clip, self.entropy, self.value = float(clip), float(entropy), float(value)
        self.learning_rate = float(learning_rate)
        self.environment: Environment = space.environment()
        self._outcome: dict[str, Any] = {}
        super().__init__(space, units=self.units, batch=self.batch, epochs=self.epochs,
                         minibatches=self.minibatches, clip=self.clip, entropy=self.entropy,
                         value=self.value, learning_rate=self.learning_rate)

    def outcome(self) -> dict[str, Any]:
        """What the last run learned beyond its evaluations: the greedy policy's architecture
        at the end (`greedy`: canonical text, `greedy_key`: identity), episodes and updates."""
        return dict(self._outcome)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        with one_blas_thread():
            return self._search(evaluate_batch, budget, rng)

    def _search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
                rng: np.random.Generator) -> History:
        env = self.environment
        shape = PolicyShape(self.units, env.vocabulary, env.sequence_length, env.num_actions)
        network = PolicyNetwork(shape, int(rng.integers(2**31 - 1)),
                                PPOSettings(self.learning_rate, self.clip, self.entropy,
                                            self.value))
        episodes_played = 0
        generation = 0
        while not budget.exhausted:
            left = budget.remaining_evaluations
            count = self.batch if left is None else min(self.batch, left)
            if count < 1:
                break
            episodes, decisions = self._play(network, rng, count)
            results = evaluate_batch([e.architecture() for e in episodes], generation)
            if not results:
                break
            episodes_played += len(results)
            self._update(network, rng, decisions[:len(results)],
                         [reward_of(r) for r in results])
            generation += 1
            if len(results) < len(episodes):
                break
        greedy = self._play(network, rng, 1, greedy=True)[0][0].architecture()
        self._outcome = {"greedy": self.space.canonical(greedy),
                         "greedy_key": str(self.space.key(greedy)),
                         "episodes": episodes_played, "updates": network.updates}
        return evaluate_batch.history

    def _play(self, network: Any, rng: np.random.Generator, count: int, greedy: bool = False
              ) -> tuple[list[Episode], list[list[tuple[np.ndarray, np.ndarray, int]]]]:
        """`count` episodes side by side, one network call per decision for all unfinished
        ones; per episode its (state, allowed actions, action) at every decision."""
        episodes = [self.environment.reset() for _ in range(count)]
        decisions: list[list[tuple[np.ndarray, np.ndarray, int]]] = [[] for _ in episodes]
        while True:
            active = [i for i, e in enumerate(episodes) if not e.done]
            if not active:
                return episodes, decisions
            states = np.stack([episodes[i].tokens() for i in active])
            logits = network.logits(states)
            for row, i in enumerate(active):
                episode = episodes[i]
                mask = episode.mask()
                action = choose(logits[row], mask, None if greedy else rng)
                decisions[i].append((states[row], mask, action))
                episode.step(action)

    def _update(self, network: Any, rng: np.random.Generator,
                decisions: list[list[tuple[np.ndarray, np.ndarray, int]]],
                rewards: list[float]) -> None:
        """One PPO update on the decisions of a batch of evaluated episodes."""
        rows = [(s, m, a, r) for steps, r in zip(decisions, rewards) for s, m, a in steps]
        n = len(rows)
        if n == 0:  # every decision was forced: nothing to learn
            return
        states = np.stack([r[0] for r in rows])
        masks = np.stack([r[1] for r in rows])
        actions = np.array([r[2] for r in rows], dtype=np.int32)
        returns = np.array([r[3] for r in rows], dtype=np.float32)
        parts = min(self.minibatches, n)
        size = -(-n // parts)
        indices = np.zeros((self.epochs * parts, size), dtype=np.int32)
        present = np.zeros((self.epochs * parts, size), dtype=np.float32)
        for epoch in range(self.epochs):
            order = rng.permutation(n)
            for k in range(parts):
                chunk = order[k * size:(k + 1) * size]
                indices[epoch * parts + k, :len(chunk)] = chunk
                present[epoch * parts + k, :len(chunk)] = 1.0
        network.update(states, masks, actions, returns, indices, present)


def choose(logits: np.ndarray, mask: np.ndarray, rng: np.random.Generator | None) -> int:
    """An allowed action: drawn from the softmax of `logits` over the allowed actions, or the
    most likely one when `rng` is None. Disallowed actions are never returned."""
    allowed = np.flatnonzero(mask)
    z = logits[allowed].astype(np.float64)
    if rng is None:
        return int(allowed[int(np.argmax(z))])
    p = np.exp(z - z.max())
    cumulative = np.cumsum(p)
    k = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return int(allowed[min(k, len(allowed) - 1)])
