"""Several fidelities: an evaluation asked for at a number of training epochs, possibly
continuing an earlier, shorter training of the same architecture.

A multi-fidelity search hands `Batch` a candidate with `At(epochs, parent)`. The evaluator
receives a `Trial`: the architecture, the epochs its result must stand for, and, when it
continues `parent`, the epochs already trained (`start`) with the state that training
ended with. What the evaluation stood for travels in its metrics, so the journal and every
report can read it:

* `epochs` — the fidelity: the epochs the result stands for;
* `epochs_trained` — the epochs this evaluation spent (its cost on an `epochs` budget): the
  difference from its parent's when it continued one, else all of them (a table lookup, or a
  training from scratch);
* `continued_from` — the index of the evaluation it continued (absent: from scratch);
* `curve` — what the evaluator recorded after each epoch it trained, as
  `[epoch, validation_accuracy, validation_loss]` with consecutive epoch numbers (training
  evaluators only).
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Hashable, NamedTuple, Protocol, Sequence

from nasdsl.component import Component, declared

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

EPOCHS, EPOCHS_TRAINED, CONTINUED_FROM, CURVE = "epochs", "epochs_trained", "continued_from", "curve"
FIDELITY_METRICS = (EPOCHS, EPOCHS_TRAINED, CONTINUED_FROM, CURVE)
"""The metrics `Batch` and training evaluators add to a multi-fidelity evaluation."""


class At(NamedTuple):
    """Where a multi-fidelity search asks for a candidate: at `epochs`, continuing the
    evaluation numbered `parent` of the same run (None: from scratch)."""

    epochs: int
    parent: int | None = None


class Fidelities(NamedTuple):
    """What an evaluator serves: results at up to `top` epochs (its `epochs`), at any number
    of epochs from 1 (`offered` None: training) or at those `offered` only (a table);
    `continues`: whether it continues a training from a state (lookups do not)."""

    top: int
    offered: tuple[int, ...] | None = None
    continues: bool = False


@dataclass(frozen=True)
class Trial:
    """What an evaluator that serves fidelities receives: train `arch` to `epochs` in all;
    with `state`, continue a training that ended after `start` epochs in that state."""

    arch: Hashable
    epochs: int
    start: int = 0
    state: bytes | None = None


def rungs(min_epochs: int, eta: int, top: int) -> tuple[int, ...]:
    """The fidelities of successive halving: `min_epochs` · `eta`^i below `top`, then `top`
    (1, 3, 9, 10 for 1, 3, 10). Where an evaluator offers only some epochs (a table), each
    rung must be one of them: `rung_problem` says so first."""
    out, r = [], int(min_epochs)
    while r < top:
        out.append(r)
        r *= int(eta)
    out.append(int(top))
    return tuple(out)


def rung_problem(ladder: Sequence[int], offered: Sequence[int] | None, where: str) -> str | None:
    """Why `ladder` cannot be served by an evaluator offering `offered` epochs (None: any
    number up to its top), or None."""
    if offered is None:
        return None
    missing = [r for r in ladder if r not in offered]
    if len(set(offered)) < 2:
        return (f"{where} holds {' and '.join(map(str, offered)) or 'no'} epochs only; a "
                "multi-fidelity search needs results at two or more epochs (the official "
                "full NAS-Bench-101 file holds 4, 12, 36 and 108)")
    if missing:
        return (f"the rungs {', '.join(map(str, ladder))} need results at "
                f"{', '.join(map(str, missing))} epochs, which {where} does not hold (it holds "
                f"{', '.join(map(str, offered))}); choose `min_epochs` and `eta` so that every "
                "rung is one of them")
    return None


def fidelities_of(evaluator: object) -> Fidelities | None:
    """What a built evaluator serves (its class's `fidelities` hook, given the evaluator's
    `epochs` and, for a table, its store), for a search run in memory (`optimize`)."""
    served = Component("evaluator", type(evaluator).__name__, type(evaluator)).hook("fidelities")
    top = declared("evaluator", evaluator, "epochs")
    if served is None or not isinstance(top, int):
        return None
    settings: dict = {"epochs": top}
    store = getattr(evaluator, "store", None)
    if store is not None and getattr(store, "path", None) is not None:
        settings["data"] = str(store.path)
    offered = served(settings)
    return Fidelities(top, None if offered is None else tuple(offered),
                      bool(declared("evaluator", evaluator, "continues")))


class Checkpoints(Protocol):
    """Where the states a continued training starts from are kept, by evaluation index."""

    def save(self, index: int, state: bytes) -> None: ...

    def load(self, index: int) -> bytes | None: ...


class MemoryCheckpoints:
    """States kept in this process (a search without a journal)."""

    def __init__(self) -> None:
        self._states: dict[int, bytes] = {}

    def save(self, index: int, state: bytes) -> None:
        self._states[index] = state

    def load(self, index: int) -> bytes | None:
        return self._states.get(index)


class FolderCheckpoints:
    """States kept as files `<index>.state` in a folder of the output folder, each written
    under a temporary name and renamed (a kill never leaves half a file under the real name):
    a resumed run continues a promotion from the state its parent's training ended with."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, index: int) -> Path:
        return self.folder / f"{int(index)}.state"

    def save(self, index: int, state: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, part = tempfile.mkstemp(prefix=f".{int(index)}.", suffix=".part", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(state)
                f.flush()
                os.fsync(f.fileno())
            os.replace(part, self._path(index))
        except BaseException:
            Path(part).unlink(missing_ok=True)
            raise

    def load(self, index: int) -> bytes | None:
        try:
            return self._path(index).read_bytes()
        except FileNotFoundError:
            return None

    def clear(self) -> None:
        """Remove the states (and half-written ones), then the folder when nothing else is
        in it: a finished run continues nothing."""
        if not self.folder.is_dir():
            return
        for p in [*self.folder.glob("*.state"), *self.folder.glob(".*.part")]:
            p.unlink(missing_ok=True)
        for folder in (self.folder, self.folder.parent):
            try:
                folder.rmdir()
            except OSError:  # not empty (another run's states, a user's file), or gone
                break



def clear_checkpoints(output: Path) -> None:
    """Remove every run's states from an output folder (`--fresh`)."""
    root = Path(output) / "checkpoints"
    if root.is_dir():
        for folder in [p for p in root.iterdir() if p.is_dir()]:
            FolderCheckpoints(folder).clear()


def checkpoint_folder(output: Path, run: str) -> Path:
    """The folder of one run's states: `<output>/checkpoints/<run>`, the run's journal key
    made a file name."""
    return Path(output) / "checkpoints" / re.sub(r"[^A-Za-z0-9_.-]", "-", run)


def below_top(evaluations: "pd.DataFrame") -> "np.ndarray":
    """Which evaluations of a journal's table are below their configuration's highest
    fidelity: they screened candidates, and never count as a configuration's best (which
    is judged at the highest fidelity, as its `final` retraining and its report do)."""
    import numpy as np

    if EPOCHS not in evaluations.columns or evaluations.empty:
        return np.zeros(len(evaluations), dtype=bool)
    epochs = evaluations[EPOCHS].astype(float)
    top = epochs.groupby(evaluations["config"]).transform("max")
    return (epochs < top).to_numpy()
