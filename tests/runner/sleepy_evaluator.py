"""An evaluator written the way a user writes one (`evaluate "sleepy_evaluator:Sleepy"`),
standing in for real training: each evaluation takes `NASDSL_TEST_SLEEP` seconds (0 when
unset) and first leaves a file in `NASDSL_TEST_STARTED` (when set), so a test knows the
workers are busy. The fitness is a fixed function of the architecture."""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Sleepy(Evaluator):
    def __init__(self, expensive: bool = True):
        self.expensive = expensive

    @property
    def metrics(self) -> tuple[str, ...]:
        return ("accuracy",)

    def evaluate(self, x, seed=None) -> Result:
        started = os.environ.get("NASDSL_TEST_STARTED")
        if started:
            (Path(started) / f"{os.getpid()}-{uuid.uuid4().hex}").touch()
        time.sleep(float(os.environ.get("NASDSL_TEST_SLEEP", "0")))
        digest = hashlib.sha1(str(x).encode()).digest()
        accuracy = int.from_bytes(digest[:4], "big") / 2**32
        return Result(fitness=accuracy, metrics={"accuracy": accuracy}, cost_seconds=1.0)
