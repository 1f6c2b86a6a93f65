"""A hostile `npz("…")` dataset is refused before anything trains on it, in a sentence naming the
file and the array: a warning in `check`, an error with `check --strict`, a refusal of `run`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.training.npz_dataset import MAX_CLASSES, read_npz


def _good() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {"x_train": rng.integers(0, 256, (12, 6, 5), dtype=np.uint8),
            "y_train": np.arange(12) % 3,
            "x_test": rng.integers(0, 256, (4, 6, 5), dtype=np.uint8),
            "y_test": np.arange(4) % 3}


def _nan_pixels() -> np.ndarray:
    x = np.zeros((12, 6, 5), np.float32)
    x[7, 2, 2] = np.nan
    return x


CASES = {
    "labels beyond the bound": ({"y_train": np.full(12, 10**9)},
                                f"`y_train` holds the label 1000000000; at most {MAX_CLASSES:,} "
                                "classes"),
    "a label that would wrap at 2^31": ({"y_test": np.full(4, 2**31)},
                                        "`y_test` holds the label 2147483648"),
    "negative labels": ({"y_train": np.arange(12) - 1},
                        "`y_train` holds the negative label -1"),
    "float labels": ({"y_test": np.zeros(4)}, "`y_test` must hold integer labels, not float64"),
    "NaN pixels": ({"x_train": _nan_pixels()},
                   "`x_train` holds NaN or infinite pixels (image 7 is the first)"),
    "infinite pixels": ({"x_test": np.full((4, 6, 5), np.inf)}, "`x_test` holds NaN or infinite"),
    "an empty test set": ({"x_test": np.zeros((0, 6, 5), np.uint8), "y_test": np.zeros(0, int)},
                          "`x_test` holds no images (the test set is empty)"),
    "an empty training set": ({"x_train": np.zeros((0, 6, 5), np.uint8),
                               "y_train": np.zeros(0, int)},
                              "`x_train` holds no images (the train set is empty)"),
    "test images of another shape": ({"x_test": np.zeros((4, 5, 6), np.uint8)},
                                     "`x_test` images are 5 × 6 × 1, those of `x_train` "
                                     "6 × 5 × 1"),
    "fewer labels than images": ({"y_train": np.arange(10) % 3},
                                 "`y_train` holds 10 labels for the 12 images of `x_train`"),
    "string pixels": ({"x_train": np.full((12, 6, 5), "a")},
                      "`x_train` must hold integer or float pixels, not <U1"),
    "images without height and width": ({"x_test": np.zeros(4, np.uint8)},
                                        "`x_test` must be (N, height, width[, channels])"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_hostile_npz_is_refused_naming_the_file_and_the_array(case, tmp_path):
    changes, message = CASES[case]
    path = tmp_path / "data.npz"
    np.savez(path, **{**_good(), **changes})
    with pytest.raises(DataError) as e:
        read_npz(path)
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value)


def test_an_object_array_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "data.npz"
    marker = tmp_path / "unpickled"
    np.savez(path, **{**_good(), "y_train": np.array([_Marker(marker)] * 12, dtype=object)})
    with pytest.raises(DataError, match=r"`y_train` holds Python objects \(dtype object\)"):
        read_npz(path)
    assert not marker.exists()


class _Marker:
    """Unpickling it would create a file."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_a_sound_npz_is_read(tmp_path):
    path = tmp_path / "data.npz"
    np.savez(path, **_good())
    x_train, y_train, x_test, y_test = read_npz(path)
    assert x_train.shape == (12, 6, 5) and len(y_test) == 4


def test_check_warns_strict_refuses_and_run_refuses_before_the_run(tmp_path):
    np.savez(tmp_path / "bad.npz", **{**_good(), "y_train": np.full(12, 10**9)})
    nas = tmp_path / "e.nas"
    nas.write_text('experiment e\nbudget = 2 evaluations\noutput = "out"\n'
                   "space global { layers = 2; ops = [conv3x3]; filters = [8] }\n"
                   'evaluate keras { dataset = npz("bad.npz"); epochs = 1 }\n'
                   "search random { }\n")
    sentence = (f"{tmp_path / 'bad.npz'}: `y_train` holds the label 1000000000; at most "
                f"{MAX_CLASSES:,} classes")

    def nasdsl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args, str(nas)],
                              cwd=tmp_path, env=dict(os.environ), capture_output=True,
                              text=True, timeout=120)

    check, strict, run = nasdsl("check"), nasdsl("check", "--strict"), nasdsl("run")
    assert check.returncode == 0 and f"warning: {sentence}" in check.stdout
    assert strict.returncode == 2 and f"error: {sentence}" in strict.stderr
    assert run.returncode == 2 and sentence in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
