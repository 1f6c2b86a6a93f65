"""A user's `npz("path")` dataset, read and checked before anything trains on it.

An `.npz` file is data from anywhere: every array is checked for what would otherwise fail
mid-run or exhaust memory, and each problem is refused in a sentence naming the file and the
array. Arrays are read without pickle (an object array is refused, never unpickled).

What a file must hold: `x_train`, `x_test` images, (N, height, width) or (N, height, width,
channels), of integers or finite floats, with the same image shape; `y_train`, `y_test` one
integer label per image, from 0 to `MAX_CLASSES - 1`; neither set empty.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from nasdsl.errors import DataError

MAX_CLASSES = 10_000
"""At most this many classes (labels 0 to 9,999): the output layer has one unit per class."""
ARRAYS = ("x_train", "y_train", "x_test", "y_test")

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def read_npz(path: Path) -> Arrays:
    """`x_train, y_train, x_test, y_test` of the file, checked; DataError naming the file
    and each array that is wrong."""
    if not path.is_file():
        raise DataError(f'dataset npz("{path}"): no such file')
    arrays: dict[str, np.ndarray] = {}
    problems: list[str] = []
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ARRAYS if k not in f]
            if missing:
                raise DataError(f"{path} lacks {', '.join(missing)} (an .npz dataset holds "
                                "x_train, y_train, x_test, y_test)")
            for key in ARRAYS:
                try:
                    arrays[key] = np.asarray(f[key])
                except ValueError as e:
                    if "allow_pickle" in str(e):
                        problems.append(f"`{key}` holds Python objects (dtype object), which "
                                        "nasdsl does not unpickle; store numbers")
                    else:
                        problems.append(f"`{key}` cannot be read ({e})")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataError(f"{path}: not a readable .npz ({e})") from None
    if not problems:
        problems = _problems(arrays)
    if problems:
        raise DataError(f"{path}: " + "; ".join(problems))
    return tuple(arrays[k] for k in ARRAYS)  # type: ignore[return-value]


def _problems(a: dict[str, np.ndarray]) -> list[str]:
    """What is wrong with the arrays, each naming the array."""
    problems: list[str] = []
    shapes: dict[str, tuple[int, ...]] = {}
    for x, y in (("x_train", "y_train"), ("x_test", "y_test")):
        images, labels = a[x], a[y]
        if images.dtype.kind not in "uif":
            problems.append(f"`{x}` must hold integer or float pixels, not {images.dtype}")
        elif images.ndim not in (3, 4):
            problems.append(f"`{x}` must be (N, height, width[, channels]), not shape "
                            f"{images.shape}")
        else:
            shapes[x] = images.shape[1:] + ((1,) if images.ndim == 3 else ())
            if len(images) == 0:
                problems.append(f"`{x}` holds no images (the {x[2:]} set is empty)")
            elif images.dtype.kind == "f" and not np.isfinite(images).all():
                first = int(np.flatnonzero(~np.isfinite(images.reshape(len(images), -1))
                                           .all(axis=1))[0])
                problems.append(f"`{x}` holds NaN or infinite pixels (image {first} is the "
                                "first)")
        if labels.dtype.kind not in "ui":
            problems.append(f"`{y}` must hold integer labels, not {labels.dtype}")
            continue
        if labels.ndim > 1 and labels.size != len(labels):
            problems.append(f"`{y}` must hold one label per image, not shape {labels.shape}")
            continue
        labels = labels.reshape(-1)
        if x in shapes and len(labels) != len(images):
            problems.append(f"`{y}` holds {len(labels):,} labels for the {len(images):,} "
                            f"images of `{x}`")
        if labels.size:
            low, high = labels.min(), labels.max()
            if low < 0:
                problems.append(f"`{y}` holds the negative label {int(low)} (labels are "
                                "0, 1, …)")
            if high >= MAX_CLASSES:
                problems.append(f"`{y}` holds the label {int(high)}; at most {MAX_CLASSES:,} "
                                f"classes (labels 0 to {MAX_CLASSES - 1:,})")
    if len(shapes) == 2 and shapes["x_train"] != shapes["x_test"]:
        problems.append(f"`x_test` images are {_shape(shapes['x_test'])}, those of `x_train` "
                        f"{_shape(shapes['x_train'])}")
    return problems


def _shape(shape: tuple[int, ...]) -> str:
    return " × ".join(str(v) for v in shape)
