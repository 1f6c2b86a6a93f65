"""An evaluator written the way a user writes one that serves fidelities
(`evaluate "fidelity_toys:Trainee"`): training stands in as a pause per epoch, accuracy is a
fixed function of the architecture and the epochs trained (with noise, so that a candidate's
rank changes from rung to rung), and the state a training ends with names the architecture
and its epochs, so a continuation from the wrong state, or from none, is caught."""
from __future__ import annotations

import hashlib
import math
import time

from nasdsl.evaluation.fidelity import Trial
from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


def _unit(text: str) -> float:
    return int.from_bytes(hashlib.sha1(text.encode()).digest()[:4], "big") / 2**32


def accuracy(arch: str, epoch: int) -> float:
    quality = _unit(arch)
    return 0.5 + 0.4 * quality * (1 - 1 / (epoch + 1)) + 0.08 * (_unit(f"{arch}@{epoch}") - 0.5)


def loss(arch: str, epoch: int) -> float:
    return 2.3 * math.exp(-0.3 * epoch) * (1.5 - _unit(arch))


class Trainee(Evaluator):
    expensive = True
    continues = True

    def __init__(self, epochs: int = 9, pause: float = 0.0):
        self.epochs = int(epochs)
        self.pause = float(pause)

    @classmethod
    def fidelities(cls, settings):
        return None  # any number of epochs up to `epochs`

    @property
    def metrics(self) -> tuple[str, ...]:
        return ("accuracy", "validation_loss")

    def evaluate(self, x, seed=None) -> Result:
        trial = x if isinstance(x, Trial) else Trial(x, self.epochs)
        arch = str(trial.arch)
        if trial.state is not None:
            owner, _, trained = trial.state.decode().rpartition("@")
            if owner != hashlib.sha1(arch.encode()).hexdigest() or int(trained) != trial.start:
                raise ValueError(f"continued from the wrong state: {trial.state!r}")
        elif trial.start:
            raise ValueError("a continuation without a state")
        time.sleep(self.pause * (trial.epochs - trial.start))
        curve = [[e, accuracy(arch, e), loss(arch, e)]
                 for e in range(trial.start + 1, trial.epochs + 1)]
        state = None
        if trial.epochs < self.epochs:
            state = f"{hashlib.sha1(arch.encode()).hexdigest()}@{trial.epochs}".encode()
        value = accuracy(arch, trial.epochs)
        return Result(fitness=value, metrics={"accuracy": value,
                                              "validation_loss": loss(arch, trial.epochs),
                                              "curve": curve},
                      cost_seconds=float(trial.epochs - trial.start), state=state)
