"""An evaluator written the way a user writes one (`evaluate "cluster_toys:Counted"`), for
the Dask tests: each build leaves a file `built-<pid>-…` and each evaluation a file
`eval-<pid>-…` in the folder `NASDSL_TEST_TRACE` (when set), so a test sees where evaluators
were built and where evaluations ran; `NASDSL_TEST_SLEEP` seconds per evaluation (training
stands in); an architecture whose digest starts with one of the characters of `fail_on` raises. The fitness is a fixed
function of the architecture."""
from __future__ import annotations

import hashlib
import os
import time
import uuid
from pathlib import Path

import numpy as np

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


def _trace(what: str) -> None:
    folder = os.environ.get("NASDSL_TEST_TRACE")
    if folder:
        (Path(folder) / f"{what}-{os.getpid()}-{uuid.uuid4().hex}").touch()


def traced(folder: Path, what: str) -> list[int]:
    """The pids of the processes that left `what` files in `folder`, one per file."""
    return [int(p.name.split("-")[1]) for p in folder.iterdir() if p.name.startswith(what)]


class Counted(Evaluator):
    expensive = True

    def __init__(self, fail_on: str = ""):
        self.fail_on = fail_on
        _trace("built")

    @property
    def metrics(self) -> tuple[str, ...]:
        return ("accuracy",)

    def evaluate(self, x, seed=None) -> Result:
        _trace("eval")
        digest = hashlib.sha1(str(x).encode()).hexdigest()
        if digest[0] in self.fail_on:
            raise RuntimeError(f"cannot train {digest[:8]}")
        time.sleep(float(os.environ.get("NASDSL_TEST_SLEEP", "0")))
        weights = np.random.default_rng(int(digest[:8], 16)).random((64, 64))
        accuracy = float(np.linalg.norm(weights @ weights.T) % 1.0)  # a little real work
        return Result(fitness=accuracy, metrics={"accuracy": accuracy}, cost_seconds=1.0)
