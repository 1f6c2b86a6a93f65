"""Deep Q-learning controller: an agent builds architectures decision by decision.

The study's reinforcement-learning searcher. One episode builds one architecture in the
space's decision environment (`nasdsl.spaces.environment`) and is rewarded with its fitness
when it is evaluated (0 for a failed evaluation); every other decision earns 0. Decisions are
ε-greedy over the allowed actions, ε decaying linearly per episode. Every decision is one
transition `(s, a, r, s')` in a replay memory of the last `replay` transitions; after each
episode the prediction network takes one training step per decision the episode took, each
on a minibatch of `batch_size` transitions drawn uniformly (with replacement) from the memory,
once the memory holds a minibatch. With `target_network` the targets come from a copy of the
prediction network refreshed every `target_update` training steps; without it the prediction
network is its own target (the study's "1-network" runs).

At the end the greedy policy (ε = 0) builds one more architecture, not evaluated: `outcome()`
reports it, and the report says whether it is the best the run found ("converges at best").
"""
from __future__ import annotations

from typing import Any, ClassVar, Hashable, Mapping

import numpy as np

from nasdsl.optimizers.base import BudgetMeter, EvaluateBatch, History, Optimizer
from nasdsl.optimizers.neural import one_blas_thread
from nasdsl.optimizers.qnetwork import QNetworks, Shape
from nasdsl.plan import Call
from nasdsl.result import Result
from nasdsl.settings import (RATE, BoolType, CallType, IntType, ListType, NumberType, OneOf,
                             Param, Review, SettingError, not_above, within_bounds)
from nasdsl.settings.bounds import MAX_BATCH, MAX_NETWORK_LAYERS, MAX_REPLAY, MAX_UNITS
from nasdsl.spaces.base import Space
from nasdsl.spaces.environment import Environment, Episode


GENERATION = 10
"""Episodes per generation in the journal (the reports' b[r, g] and generation plots)."""
NETWORKS = ("dense", "lstm")
DEFAULT_NETWORK = Call("dense", {"units": [64, 64]})
DEFAULT_EPSILON = Call("decay", {"start": 1.0, "end": 0.05, "steps": None})

NETWORK_TYPE = CallType({
    "dense": (Param("units", ListType(IntType(1, MAX_UNITS), "list of positive integers",
                                      unique=False, most=MAX_NETWORK_LAYERS), [64, 64]),),
    "lstm": (Param("units", IntType(1, MAX_UNITS), 64),),
}, "network")
EPSILON_TYPE = OneOf((
    RATE,
    CallType({"decay": (Param("start", RATE, 1.0), Param("end", RATE, 0.05),
                        Param("steps", IntType(1), None))}, "schedule"),
))
"""`decay(steps)` left None is filled by `validate` with the run's evaluation budget."""


def reward_of(result: Result) -> float:
    """The fitness of an ok result; 0 for a failed or invalid one, or a missing fitness."""
    f = result.fitness
    if result.status != "ok" or f is None or f != f:  # f != f: NaN
        return 0.0
    return float(f)


class ReplayMemory:
    """The last `capacity` transitions, in a ring of numpy arrays."""

    def __init__(self, capacity: int, length: int, actions: int):
        self.capacity = capacity
        self.states = np.zeros((capacity, length), dtype=np.int32)
        self.actions = np.zeros(capacity, dtype=np.int32)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.next_states = np.zeros((capacity, length), dtype=np.int32)
        self.next_masks = np.zeros((capacity, actions), dtype=bool)
        self.dones = np.zeros(capacity, dtype=np.float32)
        self.size = 0
        self._head = 0

    def add(self, state: np.ndarray, action: int, reward: float, next_state: np.ndarray,
            next_mask: np.ndarray, done: bool) -> None:
        i = self._head
        self.states[i], self.actions[i], self.rewards[i] = state, action, reward
        self.next_states[i], self.next_masks[i], self.dones[i] = next_state, next_mask, done
        self._head = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, rng: np.random.Generator, steps: int, batch: int) -> tuple[np.ndarray, ...]:
        """`steps` minibatches of `batch` transitions, uniform with replacement."""
        i = rng.integers(0, self.size, size=(steps, batch))
        return (self.states[i], self.actions[i], self.rewards[i], self.next_states[i],
                self.next_masks[i], self.dones[i])


class DQNSearch(Optimizer):
    """Deep Q-learning controller: builds each architecture decision by decision (the study).

    `network` (`dense(units = [64, 64])` or `lstm(units = 64)`), `target_network` (true),
    `target_update` (20 training steps), `gamma` (1.0), `epsilon` (a float, or
    `decay(start = 1.0, end = 0.05, steps)`, steps defaulting to the evaluation budget),
    `replay` (2000 transitions), `batch_size` (32), `learning_rate` (0.001, Adam)."""

    name: ClassVar[str] = "dqn"
    parameters: ClassVar = (
        Param("network", NETWORK_TYPE, DEFAULT_NETWORK, "dense(units = [...]) or lstm(units = n)"),
        Param("target_network", BoolType(), True, "false = one network"),
        Param("target_update", IntType(1), 20, "training steps between target network updates"),
        Param("gamma", RATE, 1.0, "discount"),
        Param("epsilon", EPSILON_TYPE, DEFAULT_EPSILON,
              "a float, or decay(start, end, steps); steps default: the budget"),
        Param("replay", IntType(1, MAX_REPLAY), 2000, "replay memory size (transitions)"),
        Param("batch_size", IntType(1, MAX_BATCH), 32, "replay batch (≤ replay)"),
        Param("learning_rate", NumberType(0.0, lo_open=True), 0.001, "Adam's step size"),
    )

    @classmethod
    def largest_batch(cls, settings: Mapping[str, Any]) -> int | None:
        return 1  # one episode, evaluated before the next is played

    @classmethod
    def validate(cls, review: Review) -> None:
        not_above(review, "batch_size", "replay")
        epsilon = review.values["epsilon"]
        if isinstance(epsilon, Call) and epsilon.args.get("steps") is None:
            budget = review.budget
            if budget is None or budget.unit != "evaluations":
                raise SettingError("with a time budget, `decay` needs `steps`", "epsilon")
            review.values["epsilon"] = Call(epsilon.name,
                                            {**epsilon.args, "steps": int(budget.amount)})

    def __init__(self, space: Space, network: Call | str | None = None,
                 target_network: bool = True, target_update: int = 20, gamma: float = 1.0,
                 epsilon: Call | float | None = None, replay: int = 2000, batch_size: int = 32,
                 learning_rate: float = 0.001):
        self.network = _network(network)
        self.epsilon = _epsilon(epsilon)
        self.target_network = bool(target_network)
        self.target_update = int(target_update)
        self.gamma = float(gamma)
        self.replay = int(replay)
        self.batch_size = int(batch_size)
        self.learning_rate = float(learning_rate)
        if self.target_update < 1:
            raise ValueError("target_update must be at least 1")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError("gamma must be in [0, 1]")
        if self.replay < 1 or not 1 <= self.batch_size <= self.replay:
            raise ValueError(f"batch_size ({self.batch_size}) must be in 1..replay "
                             f"({self.replay})")
        if not self.learning_rate > 0:
            raise ValueError("learning_rate must be above 0")
        within_bounds(self.parameters, {"replay": self.replay, "batch_size": self.batch_size})
        self.environment: Environment = space.environment()
        self._outcome: dict[str, Any] = {}
        super().__init__(space, network=self.network, target_network=self.target_network,
                         target_update=self.target_update, gamma=self.gamma,
                         epsilon=self.epsilon, replay=self.replay, batch_size=self.batch_size,
                         learning_rate=self.learning_rate)

    def outcome(self) -> dict[str, Any]:
        """What the last run learned beyond its evaluations: the greedy policy's architecture
        at the end (`greedy`: canonical text, `greedy_key`: identity) and the training steps."""
        return dict(self._outcome)

    def search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
               rng: np.random.Generator) -> History:
        with one_blas_thread():
            return self._search(evaluate_batch, budget, rng)

    def _search(self, evaluate_batch: EvaluateBatch, budget: BudgetMeter,
                rng: np.random.Generator) -> History:
        env = self.environment
        schedule = self._schedule(budget)
        networks = self._networks(int(rng.integers(2**31 - 1)))
        memory = ReplayMemory(self.replay, env.sequence_length, env.num_actions)
        done_mask = np.ones(env.num_actions, dtype=bool)
        blank = np.zeros(env.sequence_length, dtype=np.int32)
        episode_index = 0
        while not budget.exhausted:
            epsilon = schedule(episode_index)
            episode, states, actions, masks = self._play(networks, rng, epsilon)
            results = evaluate_batch([episode.architecture()], episode_index // GENERATION)
            if not results:
                break
            reward = reward_of(results[0])
            for k, (state, action) in enumerate(zip(states, actions)):
                if k + 1 < len(states):
                    memory.add(state, action, 0.0, states[k + 1], masks[k + 1], False)
                else:
                    memory.add(state, action, reward, blank, done_mask, True)
            if states and memory.size >= self.batch_size:
                networks.train(*memory.sample(rng, len(states), self.batch_size))
            episode_index += 1
        greedy = self._play(networks, rng, 0.0)[0]
        arch = greedy.architecture()
        self._outcome = {"greedy": self.space.canonical(arch), "greedy_key": _key(self.space,
                                                                                   arch),
                         "episodes": episode_index, "training_steps": networks.training_steps}
        return evaluate_batch.history

    def _networks(self, seed: int) -> QNetworks:
        """A run's Q-networks, initialized from `seed`."""
        env = self.environment
        units = self.network.args["units"]
        shape = Shape(self.network.name, tuple(units) if isinstance(units, list) else (units,),
                      env.vocabulary, env.sequence_length, env.num_actions)
        return QNetworks(shape, seed, self.learning_rate, self.gamma,
                         self.target_update if self.target_network else None)

    def _play(self, networks: Any, rng: np.random.Generator, epsilon: float
              ) -> tuple[Episode, list[np.ndarray], list[int], list[np.ndarray]]:
        """One episode, ε-greedy: the finished episode, and per decision its state, action
        and allowed actions."""
        episode = self.environment.reset()
        states: list[np.ndarray] = []
        actions: list[int] = []
        masks: list[np.ndarray] = []
        while not episode.done:
            mask = episode.mask()
            state = episode.tokens()
            if epsilon > 0 and rng.random() < epsilon:
                allowed = np.flatnonzero(mask)
                action = int(allowed[rng.integers(len(allowed))])
            else:
                q = networks.q_values(state[None, :])[0]
                action = int(np.argmax(np.where(mask, q, -np.inf)))
            states.append(state)
            actions.append(action)
            masks.append(mask)
            episode.step(action)
        return episode, states, actions, masks

    def _schedule(self, budget: BudgetMeter):
        """ε of episode e."""
        if not isinstance(self.epsilon, Call):
            value = float(self.epsilon)
            return lambda e: value
        args = self.epsilon.args
        start, end, steps = float(args.get("start", 1.0)), float(args.get("end", 0.05)), \
            args.get("steps")
        if steps is None:
            steps = budget.remaining_evaluations
            if steps is None:
                raise ValueError("with a time budget, epsilon = decay(…) needs `steps`")
        steps = max(int(steps), 1)
        return lambda e: start + (end - start) * min(e / steps, 1.0)


def _key(space: Space, arch: Hashable) -> str:
    return str(space.key(arch))


def _network(value: Call | str | None) -> Call:
    """`dense(units = [...])` / `lstm(units = n)` in normal form (defaults filled)."""
    if value is None:
        return DEFAULT_NETWORK
    if isinstance(value, str):
        value = Call(value, {})
    if not isinstance(value, Call) or value.name not in NETWORKS:
        raise ValueError(f"network must be dense(units = [...]) or lstm(units = n), "
                         f"not {value!r}")
    units = value.args.get("units", [64, 64] if value.name == "dense" else 64)
    if value.name == "dense":
        units = [int(u) for u in (units if isinstance(units, (list, tuple)) else [units])]
        if not units or min(units) < 1:
            raise ValueError("dense(units = [...]) needs at least one layer of ≥ 1 unit")
        if max(units) > MAX_UNITS or len(units) > MAX_NETWORK_LAYERS:
            raise ValueError(f"dense(units = [...]) takes at most {MAX_NETWORK_LAYERS} layers "
                             f"of at most {MAX_UNITS} units")
    else:
        if isinstance(units, (list, tuple)) or not 1 <= int(units) <= MAX_UNITS:
            raise ValueError(f"lstm(units = n) takes one integer in [1, {MAX_UNITS}]")
        units = int(units)
    return Call(value.name, {"units": units})


def _epsilon(value: Call | float | None) -> Call | float:
    if value is None:
        return DEFAULT_EPSILON
    if isinstance(value, Call):
        if value.name != "decay":
            raise ValueError(f"epsilon must be a float or decay(start, end, steps), "
                             f"not {value}")
        args = {**DEFAULT_EPSILON.args, **dict(value.args)}
        for key in ("start", "end"):
            if not 0.0 <= float(args[key]) <= 1.0:
                raise ValueError(f"decay {key} must be in [0, 1]")
        if args["steps"] is not None and int(args["steps"]) < 1:
            raise ValueError("decay steps must be at least 1")
        return Call("decay", args)
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError("epsilon must be in [0, 1]")
    return value
