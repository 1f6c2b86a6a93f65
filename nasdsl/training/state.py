"""What a training ended with, as bytes a later training of the same model continues from.

A state holds the model's weights (trainable and not: batch-norm statistics too), every
variable of its optimizer (Adam's moments and iteration count, the learning rate), the
epochs trained and the seed that ordered the images. It is an `np.savez` archive of plain
numeric arrays, read back with `allow_pickle=False`: a state file is read from disk, and
reading one can never run code. Its size is about (1 + optimizer slots) × 4 bytes per
parameter: three times the weights with Adam.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

FORMAT = 1
"""The layout of the archive; another number is refused."""


class StateError(ValueError):
    """A state cannot continue this training (unreadable, or another model's)."""


@dataclass(frozen=True)
class Ended:
    """Where a saved training stopped: after `epochs` epochs, its images ordered by `seed`."""

    epochs: int
    seed: int


def pack(model: Any, epochs: int, seed: int) -> bytes:
    """The state of `model` (compiled, trained `epochs` epochs with `seed`) as bytes."""
    arrays: dict[str, np.ndarray] = {
        "format": np.array([FORMAT], dtype=np.int64),
        "ended": np.array([int(epochs), int(seed)], dtype=np.int64),
    }
    for i, w in enumerate(model.get_weights()):
        arrays[f"w{i}"] = np.asarray(w)
    for i, v in enumerate(model.optimizer.variables):
        arrays[f"o{i}"] = np.asarray(v.numpy())
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def restore(model: Any, state: bytes) -> Ended:
    """Put the weights and optimizer variables of `state` into `model` (compiled, same
    architecture and optimizer); where it stopped. StateError when `state` is not one, or
    does not fit the model."""
    arrays = _read(state)
    weights = _numbered(arrays, "w")
    slots = _numbered(arrays, "o")
    model_weights = model.get_weights()
    _check("weights", weights, [np.shape(w) for w in model_weights])
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    _check("optimizer variables", slots, [tuple(v.shape) for v in optimizer.variables])
    model.set_weights(weights)
    for variable, value in zip(optimizer.variables, slots):
        variable.assign(value.astype(variable.dtype))
    epochs, seed = (int(v) for v in arrays["ended"])
    return Ended(epochs, seed)


def _read(state: bytes) -> dict[str, np.ndarray]:
    if not isinstance(state, (bytes, bytearray, memoryview)) or not state:
        raise StateError("the saved state is empty")
    if not bytes(state[:4]) == b"PK\x03\x04":
        raise StateError("the saved state is unreadable (not an npz archive)")
    try:
        with np.load(io.BytesIO(bytes(state)), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as e:
        raise StateError(f"the saved state is unreadable ({_first_line(e)})") from None
    if "format" not in arrays or "ended" not in arrays or arrays["ended"].shape != (2,):
        raise StateError("the saved state is not a training state (no format or epochs)")
    if arrays["format"].tolist() != [FORMAT]:
        raise StateError(f"the saved state has format {arrays['format'].tolist()}, "
                         f"not [{FORMAT}]")
    for name, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise StateError(f"the saved state's array {name} is not numeric")
    return arrays


def _numbered(arrays: dict[str, np.ndarray], prefix: str) -> list[np.ndarray]:
    out, i = [], 0
    while f"{prefix}{i}" in arrays:
        out.append(arrays[f"{prefix}{i}"])
        i += 1
    return out


def _check(what: str, saved: list[np.ndarray], shapes: list[tuple]) -> None:
    if len(saved) != len(shapes):
        raise StateError(f"the saved state holds {len(saved)} {what}, the model has "
                         f"{len(shapes)}: it is another architecture's or optimizer's")
    for i, (array, shape) in enumerate(zip(saved, shapes)):
        if tuple(array.shape) != tuple(shape):
            raise StateError(f"the saved state's {what} {i} has shape {tuple(array.shape)}, "
                             f"the model's {tuple(shape)}: it is another architecture's")


def _first_line(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0]
