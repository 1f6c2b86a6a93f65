"""The controllers' small neural networks, in numpy: forward and backward passes, and Adam.

The DQN's Q-network and the PPO policy are tiny (an LSTM or two dense layers of 64 units,
states of a dozen tokens, minibatches of 32), so a call into a deep-learning framework costs
far more than its arithmetic; plain numpy does the same arithmetic with a few dozen array
operations per pass. A network is a reader (tokens → features) and one linear head; all its
parameters are views into one flat float vector, so Adam and the target network's copy are a
few whole-vector operations, and a run's state is its vectors.

Readers, both over the environment's states (integer tokens, 0 = padding after the tokens):
- `TokenBag`: a dense layer over the multi-hot form of the tokens (the sum of one kernel row
  per token, plus a bias), ReLU, then more ReLU dense layers;
- `SequenceLSTM`: an embedding, then an LSTM (Keras's: gates i, f, c, o, sigmoid and tanh,
  forget bias 1) whose output is its state after the last token.

Everything is determined by the seed: initial weights are drawn from `numpy.random` with the
initializers Keras uses by default (Glorot-uniform kernels, orthogonal recurrent kernels).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

Cache = Any
"""What a forward pass keeps for its backward pass."""

_BETA_1, _BETA_2, _ADAM_EPSILON = 0.9, 0.999, 1e-7
"""Keras's Adam defaults."""


def one_blas_thread() -> threadpool_limits:
    """numpy's BLAS on one thread while the context lasts (a whole run: entering it costs
    more than a forward pass). These matrices are small: several BLAS threads cost far more
    CPU time than they save, most of all on a machine busy with other work."""
    return threadpool_limits(1, user_api="blas")


class Layout:
    """Named arrays laid out in one flat vector: `views(flat)` gives them, by name."""

    def __init__(self) -> None:
        self.shapes: dict[str, tuple[int, ...]] = {}
        self.size = 0
        self._slices: dict[str, slice] = {}

    def add(self, name: str, *shape: int) -> None:
        count = int(np.prod(shape))
        self.shapes[name] = shape
        self._slices[name] = slice(self.size, self.size + count)
        self.size += count

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        return {name: flat[s].reshape(self.shapes[name]) for name, s in self._slices.items()}


def glorot(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """Glorot-uniform kernel (fan_in, fan_out)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def orthogonal(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """A (rows, columns) matrix with orthonormal rows or columns, as Keras's `Orthogonal`."""
    a = rng.normal(size=(max(rows, columns), min(rows, columns)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    return q if rows >= columns else q.T


class TokenBag:
    """Dense ReLU layers over the multi-hot form of a token sequence (token 0 is padding)."""

    def __init__(self, layout: Layout, vocabulary: int, units: Sequence[int]):
        self.vocabulary, self.units = vocabulary, tuple(units)
        self.width = self.units[-1]
        layout.add("bag.kernel", vocabulary, self.units[0])
        layout.add("bag.bias", self.units[0])
        for k in range(1, len(self.units)):
            layout.add(f"dense{k}.kernel", self.units[k - 1], self.units[k])
            layout.add(f"dense{k}.bias", self.units[k])

    def initialize(self, p: dict[str, np.ndarray], rng: np.random.Generator) -> None:
        p["bag.kernel"][:] = glorot(rng, self.vocabulary, self.units[0])
        for k in range(1, len(self.units)):
            p[f"dense{k}.kernel"][:] = glorot(rng, self.units[k - 1], self.units[k])

    def _bag(self, tokens: np.ndarray, dtype: Any) -> np.ndarray:
        bag = np.zeros((len(tokens), self.vocabulary), dtype=dtype)
        rows = np.broadcast_to(np.arange(len(tokens))[:, None], tokens.shape)
        np.add.at(bag, (rows, tokens), 1.0)
        bag[:, 0] = 0.0  # padding
        return bag

    def forward(self, p: dict[str, np.ndarray], tokens: np.ndarray) -> tuple[np.ndarray, Cache]:
        bag = self._bag(tokens, p["bag.bias"].dtype)
        x = np.maximum(bag @ p["bag.kernel"] + p["bag.bias"], 0.0)
        xs = [x]
        for k in range(1, len(self.units)):
            x = np.maximum(x @ p[f"dense{k}.kernel"] + p[f"dense{k}.bias"], 0.0)
            xs.append(x)
        return x, (bag, xs)

    def backward(self, p: dict[str, np.ndarray], g: dict[str, np.ndarray], cache: Cache,
                 dx: np.ndarray) -> None:
        bag, xs = cache
        for k in range(len(self.units) - 1, 0, -1):
            dx = dx * (xs[k] > 0)
            g[f"dense{k}.kernel"][:] = xs[k - 1].T @ dx
            g[f"dense{k}.bias"][:] = dx.sum(axis=0)
            dx = dx @ p[f"dense{k}.kernel"].T
        dx = dx * (xs[0] > 0)
        g["bag.kernel"][:] = bag.T @ dx
        g["bag.bias"][:] = dx.sum(axis=0)


class SequenceLSTM:
    """An embedding and an LSTM over a token sequence; its features: the LSTM's state after
    the last token (tokens come first, padding after, as the environment writes states)."""

    def __init__(self, layout: Layout, vocabulary: int, units: int):
        self.vocabulary, self.units, self.width = vocabulary, units, units
        layout.add("embedding", vocabulary, units)
        layout.add("lstm.kernel", units, 4 * units)
        layout.add("lstm.recurrent", units, 4 * units)
        layout.add("lstm.bias", 4 * units)

    def initialize(self, p: dict[str, np.ndarray], rng: np.random.Generator) -> None:
        n = self.units
        p["embedding"][:] = rng.uniform(-0.05, 0.05, size=(self.vocabulary, n))
        p["lstm.kernel"][:] = glorot(rng, n, 4 * n)
        p["lstm.recurrent"][:] = orthogonal(rng, n, 4 * n)
        p["lstm.bias"][n:2 * n] = 1.0  # the forget gate starts open

    def input_table(self, p: dict[str, np.ndarray]) -> np.ndarray:
        """Every token's input term of the gates (embedding @ kernel + bias): for weights
        that serve many forward passes unchanged (a target network)."""
        return p["embedding"] @ p["lstm.kernel"] + p["lstm.bias"]

    def forward(self, p: dict[str, np.ndarray], tokens: np.ndarray,
                table: np.ndarray | None = None) -> tuple[np.ndarray, Cache]:
        """Rows run longest first, so step t works on the first `active[t]` rows, those with
        more than t tokens: a row stops at its last token (Keras's masking), and no step
        computes a padded position. Every per-position array is packed, step after step
        (step t's rows start at `starts[t]`). `table`: `input_table(p)`, when the caller
        keeps it."""
        n, batch = self.units, len(tokens)
        dtype = p["lstm.bias"].dtype
        lengths = np.count_nonzero(tokens, axis=1)
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        steps = int(lengths[0]) if batch else 0
        active = np.searchsorted(-lengths, -np.arange(steps), side="left").tolist()
        starts = list(accumulate(active, initial=0))
        packed = tokens[order, :steps].T.reshape(-1)
        packed = packed[packed != 0]                                     # (P,) step by step
        total = len(packed)
        if table is None:
            inputs = p["embedding"][packed]
            gates = inputs @ p["lstm.kernel"] + p["lstm.bias"]           # (P, 4n)
        else:
            inputs = None  # no backward pass from here
            gates = table[packed]
        # h and c after each position; row P (zeros) is the state before the first step.
        hs = np.zeros((total + 1, n), dtype=dtype)
        cs = np.zeros((total + 1, n), dtype=dtype)
        tcs = np.empty((total, n), dtype=dtype)
        recurrent = p["lstm.recurrent"]
        before = slice(total, total + 1)
        for t in range(steps):
            now = slice(starts[t], starts[t + 1])
            k = active[t]
            act = gates[now]
            act += hs[before][:k] @ recurrent
            candidate = np.tanh(act[:, 2 * n:3 * n])
            np.negative(act, out=act)
            np.exp(act, out=act)
            act += 1.0
            np.reciprocal(act, out=act)                                  # sigmoid: i, f, o
            act[:, 2 * n:3 * n] = candidate
            c = cs[now]
            np.multiply(act[:, n:2 * n], cs[before][:k], out=c)
            c += act[:, :n] * candidate
            np.tanh(c, out=tcs[now])
            np.multiply(act[:, 3 * n:], tcs[now], out=hs[now])
            before = now
        out = np.empty((batch, n), dtype=dtype)
        last = np.asarray(starts)[np.maximum(lengths - 1, 0)] + np.arange(batch)
        out[order] = hs[np.where(lengths > 0, last, total)]              # after the last token
        return out, (order, active, starts, packed, inputs, hs, cs, gates, tcs)

    def backward(self, p: dict[str, np.ndarray], g: dict[str, np.ndarray], cache: Cache,
                 dout: np.ndarray) -> None:
        order, active, starts, tokens, inputs, hs, cs, gates, tcs = cache
        n, total = self.units, len(tokens)
        # Position of step t, row r: starts[t] + r; the state before it: row P at t = 0.
        previous = np.full(total, total)
        for t in range(1, len(active)):
            previous[starts[t]:starts[t + 1]] = np.arange(starts[t - 1],
                                                          starts[t - 1] + active[t])
        i, f, o = gates[:, :n], gates[:, n:2 * n], gates[:, 3 * n:]
        candidate = gates[:, 2 * n:3 * n]
        # d z = (dc, dc, dc, dh) × these factors, for every position at once.
        factors = np.empty_like(gates)
        factors[:, :n] = candidate * i * (1.0 - i)
        factors[:, n:2 * n] = cs[previous] * f * (1.0 - f)
        factors[:, 2 * n:3 * n] = i * (1.0 - candidate * candidate)
        factors[:, 3 * n:] = tcs * o * (1.0 - o)
        to_cell = o * (1.0 - tcs * tcs)                                  # dc += dh × this
        dz = np.empty_like(gates)
        dh = dout[order]  # a row's gradient waits until the steps reach its last token
        dc = np.zeros_like(dh)
        recurrent_t = p["lstm.recurrent"].T
        for t in range(len(active) - 1, -1, -1):
            now, k = slice(starts[t], starts[t + 1]), active[t]
            dh_k, dc_k, dz_t = dh[:k], dc[:k], dz[now]
            dc_k += dh_k * to_cell[now]
            np.multiply(factors[now].reshape(k, 4, n)[:, :3], dc_k[:, None, :],
                        out=dz_t.reshape(k, 4, n)[:, :3])
            np.multiply(factors[now, 3 * n:], dh_k, out=dz_t[:, 3 * n:])
            dc_k *= f[now]
            np.matmul(dz_t, recurrent_t, out=dh_k)
        g["lstm.recurrent"][:] = hs[previous].T @ dz
        g["lstm.kernel"][:] = inputs.T @ dz
        g["lstm.bias"][:] = dz.sum(axis=0)
        g["embedding"][:] = 0.0
        if len(tokens):  # each token's row: the sum over its positions
            by_token = np.argsort(tokens, kind="stable")
            ordered = tokens[by_token]
            firsts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
            g["embedding"][ordered[firsts]] = np.add.reduceat(
                dz[by_token] @ p["lstm.kernel"].T, firsts, axis=0)


@dataclass(frozen=True)
class HeadInit:
    """How the head's kernel columns start: `glorot` columns, or normal with `stddev`."""

    columns: int
    stddev: float | None = None


class Network:
    """A reader and a linear head over its features, in one flat parameter vector.

    `heads` lists column groups of the head with their initializers (the PPO policy's
    logits and value are one head of `actions + 1` columns)."""

    def __init__(self, reader_kind: str, units: Sequence[int], vocabulary: int,
                 heads: Sequence[HeadInit], dtype: Any = np.float32):
        self.layout = Layout()
        if reader_kind == "dense":
            self.reader: TokenBag | SequenceLSTM = TokenBag(self.layout, vocabulary, units)
        elif reader_kind == "lstm":
            (n,) = units
            self.reader = SequenceLSTM(self.layout, vocabulary, n)
        else:
            raise ValueError(f"unknown network {reader_kind!r}")
        self.heads = tuple(heads)
        self.outputs = sum(h.columns for h in self.heads)
        self.layout.add("head.kernel", self.reader.width, self.outputs)
        self.layout.add("head.bias", self.outputs)
        self.dtype = dtype
        self._views: dict[int, tuple[np.ndarray, dict[str, np.ndarray]]] = {}

    def views(self, flat: np.ndarray) -> dict[str, np.ndarray]:
        """The named parameters in `flat`, kept for the few vectors a run reuses."""
        known = self._views.get(id(flat))
        if known is None or known[0] is not flat:
            if len(self._views) >= 4:
                self._views.clear()
            known = self._views[id(flat)] = (flat, self.layout.views(flat))
        return known[1]

    def initial(self, seed: int) -> np.ndarray:
        """The flat parameters drawn from `seed` alone."""
        rng = np.random.default_rng(seed)
        flat = np.zeros(self.layout.size, dtype=np.float64)
        p = self.layout.views(flat)
        self.reader.initialize(p, rng)
        start, width = 0, self.reader.width
        for head in self.heads:
            columns = slice(start, start + head.columns)
            p["head.kernel"][:, columns] = (
                glorot(rng, width, head.columns) if head.stddev is None
                else rng.normal(0.0, head.stddev, size=(width, head.columns)))
            start += head.columns
        return flat.astype(self.dtype)

    def input_table(self, flat: np.ndarray) -> np.ndarray | None:
        """What `forward` can reuse while `flat` stays unchanged (None: nothing)."""
        if isinstance(self.reader, SequenceLSTM):
            return self.reader.input_table(self.views(flat))
        return None

    def forward(self, flat: np.ndarray, tokens: np.ndarray,
                table: np.ndarray | None = None) -> tuple[np.ndarray, Cache]:
        """Outputs (batch, outputs) of a batch of states (batch, length), and the cache;
        `table`: `input_table(flat)` where the caller keeps it."""
        p = self.views(flat)
        x, cache = (self.reader.forward(p, tokens) if table is None
                    else self.reader.forward(p, tokens, table))
        return x @ p["head.kernel"] + p["head.bias"], (x, cache)

    def backward(self, flat: np.ndarray, cache: Cache, dout: np.ndarray) -> np.ndarray:
        """The gradient (flat, like the parameters) of a loss whose gradient with respect to
        the outputs of the forward pass that made `cache` is `dout`."""
        p = self.views(flat)
        grad = np.empty_like(flat)
        g = self.layout.views(grad)
        x, inner = cache
        g["head.kernel"][:] = x.T @ dout
        g["head.bias"][:] = dout.sum(axis=0)
        self.reader.backward(p, g, inner, dout @ p["head.kernel"].T)
        return grad


class Adam:
    """Adam on a flat parameter vector, with Keras's defaults and update formula."""

    def __init__(self, size: int, learning_rate: float, dtype: Any = np.float32):
        self.learning_rate = learning_rate
        self.first = np.zeros(size, dtype=dtype)
        self.second = np.zeros(size, dtype=dtype)
        self._scratch = (np.empty(size, dtype=dtype), np.empty(size, dtype=dtype))
        self.steps = 0

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        """Update `flat` in place with `grad` (in preallocated buffers)."""
        self.steps += 1
        t = self.steps
        rate = float(self.learning_rate * np.sqrt(1.0 - _BETA_2 ** t) / (1.0 - _BETA_1 ** t))
        a, b = self._scratch
        np.subtract(grad, self.first, out=a)          # m += (g - m)(1 - β1)
        a *= 1.0 - _BETA_1
        self.first += a
        np.multiply(grad, grad, out=a)                # v += (g² - v)(1 - β2)
        a -= self.second
        a *= 1.0 - _BETA_2
        self.second += a
        np.sqrt(self.second, out=a)                   # w -= rate · m / (√v + ε)
        a += _ADAM_EPSILON
        np.multiply(self.first, rate, out=b)
        b /= a
        flat -= b
