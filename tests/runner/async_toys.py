"""An evaluator written the way a user writes one (`evaluate "async_toys:Staggered"`), for
runs that keep Dask workers busy: each evaluation sleeps a time drawn from its seed (up to
`longest` seconds, training stands in), so evaluations finish out of submission order. The
fitness is a fixed function of the architecture; the metric `worker` is the process that
evaluated it."""
from __future__ import annotations

import hashlib
import os
import time

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Staggered(Evaluator):
    expensive = True

    def __init__(self, longest: float = 0.1):
        self.longest = float(longest)

    @property
    def metrics(self) -> tuple[str, ...]:
        return ("accuracy", "worker")

    def evaluate(self, x, seed=None) -> Result:
        time.sleep(self.longest * ((seed or 0) % 1000) / 1000)
        digest = hashlib.sha1(str(x).encode()).digest()
        accuracy = int.from_bytes(digest[:4], "big") / 2**32
        return Result(fitness=accuracy, metrics={"accuracy": accuracy, "worker": os.getpid()},
                      cost_seconds=1.0)
