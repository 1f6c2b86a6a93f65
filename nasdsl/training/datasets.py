"""Image datasets found without a network where possible, checksum-verified, as numpy arrays.

Where each dataset is looked for, in order (the first place whose files pass the check wins):

| dataset | places |
| --- | --- |
| `fashion_mnist` | the Keras cache (`$KERAS_HOME/datasets/fashion-mnist`, default `~/.keras`), Debian's `/usr/share/datasets/fashion-mnist` (package `dataset-fashion-mnist`), the `data` folder (or its `fashion-mnist` subfolder), the imported copy (`<nasdsl data folder>/fashion-mnist`), else a download into the Keras cache |
| `mnist` | the Keras cache's `mnist.npz`, the `data` folder (`mnist.npz`, or the four official `.gz` files, also in a `mnist` subfolder), the imported copy (`<nasdsl data folder>/mnist`), else a download of `mnist.npz` |
| `cifar10` | the Keras cache (`cifar-10-batches-py` as extracted by Keras 2 or 3, or the archive), the `data` folder (`cifar-10-python.tar.gz` or `cifar-10-batches-py`), the imported copy (`<nasdsl data folder>/cifar10`), else a download of the archive |
| `digits` | scikit-learn's copy (installed with scikit-learn, never downloaded) |
| `npz("path")` | that file: arrays `x_train`, `y_train`, `x_test`, `y_test` |

Files are checked against the official checksums (`nasdsl.training.official`: sha256 of the
decompressed content of Fashion-MNIST's `.gz` files, so a recompressed copy is accepted; md5
of MNIST's `.gz` files and of the CIFAR-10 archive and batches, sha256 of Keras's
`mnist.npz`). A download goes to `$NASDSL_DATASET_MIRROR` (a URL prefix) when set, else to
the usual hosts; without `download`, nothing is fetched. A dataset that cannot be found
raises `DataError` naming every place looked at and what was wrong there.

Images come back as float32 (N, height, width, channels) scaled to [0, 1] (integer pixels
divided by their maximum: 255, or 16 for `digits`; float arrays of an `.npz` as they are),
labels as int32.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import tarfile
import urllib.request
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from nasdsl.errors import DataError
from nasdsl.store.paths import data_dir
from nasdsl.store.transfer import removed_unless_done, stall_timeout
from nasdsl.training.npz_dataset import read_npz
from nasdsl.training.official import (CIFAR_ARCHIVE, CIFAR_ARCHIVE_MD5, CIFAR_BATCH_MD5,
                                      CIFAR_BATCHES, CIFAR_TAR, FASHION_IDX, FASHION_MD5,
                                      FOLDERS, IDX, MNIST_IDX, MNIST_KERAS, MNIST_MD5,
                                      MNIST_NPZ_SHA256, Files, download_size, file_digest,
                                      file_problem)

KNOWN = ("fashion_mnist", "mnist", "digits", "cifar10")
DEBIAN_DATASETS = Path("/usr/share/datasets")
MIRROR_ENV = "NASDSL_DATASET_MIRROR"
_KERAS_HOST = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_CIFAR_HOST = "https://www.cs.toronto.edu/~kriz/"

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""x_train, y_train, x_test, y_test as read (before scaling)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train and a test set of images, scaled; `source` says where they were read."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(int(v) for v in self.x_train.shape[1:])  # type: ignore[return-value]

    @property
    def classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def dataset_label(spec: Any) -> str:
    """How a dataset setting reads: `fashion_mnist`, `npz("path")`."""
    path = _npz_path(spec)
    return f'npz("{path}")' if path is not None else str(spec)


def _npz_path(spec: Any) -> str | None:
    if getattr(spec, "name", None) == "npz":
        return str(dict(spec.args)["path"])
    return None


def keras_cache() -> Path:
    """Where Keras keeps downloaded datasets: `$KERAS_HOME/datasets`, default `~/.keras`."""
    home = os.environ.get("KERAS_HOME") or str(Path.home() / ".keras")
    return Path(home) / "datasets"


def load_dataset(spec: Any, data: str | os.PathLike | None = None,
                 download: bool = True) -> Dataset:
    """The dataset a `dataset` setting names (a name, or an `npz` call), read once per
    process. `data`: a folder to look in; `download`: fetch it when found nowhere (when
    False, nothing is fetched and no connection is opened: the refusal says what a download
    would fetch, and from where)."""
    path = _npz_path(spec)
    key = f"npz:{Path(path).resolve()}" if path is not None else str(spec)
    where = (key, None if data is None else str(Path(data).resolve()), str(imported_dir()))
    found = _LOADED.get(where)
    if found is None:
        found = _load(*where, download)
        _LOADED[where] = found
        while len(_LOADED) > 2:  # two datasets at most held in memory
            _LOADED.popitem(last=False)
    return found


_LOADED: "OrderedDict[tuple[str, str | None, str], Dataset]" = OrderedDict()


def forget_loaded() -> None:
    """Forget the datasets read so far (the next `load_dataset` looks again)."""
    _LOADED.clear()


def imported_dir() -> Path:
    """nasdsl's data folder, where `nasdsl data NAME --import` puts each dataset (in its
    sub-folder: `fashion-mnist`, `mnist`, `cifar10`)."""
    return data_dir().resolve()


def _load(key: str, data: str | None, imported: str, download: bool) -> Dataset:
    if key.startswith("npz:"):
        path = Path(key[4:])
        x_train, y_train, x_test, y_test = read_npz(path)
        name, source = f'npz("{path}")', str(path)
    else:
        if key not in KNOWN:
            raise DataError(f"unknown dataset {key!r}; known: {', '.join(KNOWN)}, npz(\"path\")")
        folders = _folders(Path(data) if data else None, FOLDERS.get(key, key))
        folders.append(Path(imported) / FOLDERS.get(key, key))
        (x_train, y_train, x_test, y_test), source = _FINDERS[key](
            list(dict.fromkeys(folders)), download)
        name = key
    scale = 16.0 if key == "digits" else 255.0
    return Dataset(name, _images(x_train, scale), _labels(y_train), _images(x_test, scale),
                   _labels(y_test), source)


def _images(x: np.ndarray, scale: float) -> np.ndarray:
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise DataError(f"images must be (N, height, width[, channels]), got shape {x.shape}")
    if np.issubdtype(x.dtype, np.integer):
        return (x.astype(np.float32) / np.float32(scale))
    return x.astype(np.float32, copy=False)


def _labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y).reshape(-1)
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and y.min() < 0):
        raise DataError("labels must be integers 0, 1, … (one per image)")
    return y.astype(np.int32)


# --- the search --------------------------------------------------------------------------------
class _Search:
    """Places tried in order; what was wrong at each, for the refusal."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        self.notes: list[str] = []

    def refuse(self) -> DataError:
        folder = FOLDERS.get(self.dataset, self.dataset)
        return DataError(
            f"dataset `{self.dataset}` not found; looked in:\n    " + "\n    ".join(self.notes)
            + f"\n  put its files in a folder named by `data = \"…\"` in `evaluate keras`, "
            f"or import them once: nasdsl data {self.dataset} --import DIR (into "
            f"{imported_dir() / folder})")

    def files(self, folder: Path, checks: Files) -> bool:
        """True when `folder` holds every official file of `checks`."""
        missing = [n for n in checks if not (folder / n).is_file()]
        if missing:
            what = "not there" if len(missing) == len(checks) else "lacks " + ", ".join(missing)
            self.notes.append(f"{folder}: {what}")
            return False
        for name, official in checks.items():
            problem = file_problem(folder / name, official)
            if problem is not None:
                self.notes.append(problem)
                return False
        return True

    def download(self, folder: Path, names: Files, host: str, allowed: bool) -> bool:
        """Fetch `names` into `folder` (checksums verified); True when every file arrived.
        When not `allowed`, says what would be fetched, from where, and opens nothing."""
        base = (os.environ.get(MIRROR_ENV) or host).rstrip("/") + "/"
        if not allowed:
            files = ", ".join(names)
            self.notes.append(f"download: not attempted here; `nasdsl run` fetches {files} "
                              f"({download_size(names) / 1e6:.1f} MB) from {base} into "
                              f"{folder}")
            return False
        try:
            for name, official in names.items():
                fetch(base + name, folder / name, official.algorithm, official.digest)
        except DataError as e:
            self.notes.append(f"download: {e}")
            try:
                folder.rmdir()  # made for the download; left only when something else is there
            except OSError:
                pass
            return False
        return True


def _folders(data: Path | None, sub: str) -> list[Path]:
    return [] if data is None else [data, data / sub]


def _find_idx(dataset: str, sub: str, idx: Files, npz: bool):
    def find(folders: list[Path], download: bool) -> tuple[Arrays, str]:
        search = _Search(dataset)
        places: list[tuple[Path, bool]] = []
        if npz:
            places.append((keras_cache(), True))
        else:
            places += [(keras_cache() / sub, False), (DEBIAN_DATASETS / sub, False)]
        for folder in folders:
            places += [(folder, True)] if npz else []
            places.append((folder, False))
        for folder, as_npz in places:
            if as_npz and search.files(folder, MNIST_KERAS):
                return read_npz(folder / "mnist.npz"), str(folder / "mnist.npz")
            if not as_npz and search.files(folder, idx):
                return _read_idx(folder), str(folder)
        target = keras_cache() if npz else keras_cache() / sub
        if search.download(target, MNIST_KERAS if npz else idx, _KERAS_HOST, download):
            if npz:
                return read_npz(target / "mnist.npz"), str(target / "mnist.npz")
            return _read_idx(target), str(target)
        raise search.refuse()
    return find


def _find_cifar(folders: list[Path], download: bool) -> tuple[Arrays, str]:
    search = _Search("cifar10")
    cache = keras_cache()
    places = [cache / "cifar-10-batches-py-target_extracted" / "cifar-10-batches-py",
              cache / "cifar-10-batches-py"]
    places += [f / "cifar-10-batches-py" for f in folders] + folders
    for folder in places:
        if search.files(folder, CIFAR_BATCHES):
            return _read_cifar(lambda name: (folder / name).read_bytes()), str(folder)
    keras_archive = cache / "cifar-10-batches-py-target"
    if keras_archive.is_file() and file_digest(keras_archive, "md5") == CIFAR_ARCHIVE_MD5:
        return _read_cifar_archive(keras_archive), str(keras_archive)
    search.notes.append(f"{keras_archive}: not there or not the CIFAR-10 archive")
    for folder in [cache, *folders]:
        if search.files(folder, CIFAR_TAR):
            return _read_cifar_archive(folder / CIFAR_ARCHIVE), str(folder / CIFAR_ARCHIVE)
    if search.download(cache, CIFAR_TAR, _CIFAR_HOST, download):
        return _read_cifar_archive(cache / CIFAR_ARCHIVE), str(cache / CIFAR_ARCHIVE)
    raise search.refuse()


def _find_digits(folders: list[Path], download: bool) -> tuple[Arrays, str]:
    """scikit-learn's 8×8 digits (1,797 images); a fixed 20 % (seed 0) is the test set."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise DataError("dataset `digits` is scikit-learn's copy, and scikit-learn is not "
                        "installed (pip install scikit-learn)") from None
    digits = load_digits()
    x, y = digits.images, digits.target
    order = np.random.default_rng(0).permutation(len(x))
    test = len(x) // 5
    x = np.rint(x).astype(np.uint8)
    return (x[order[test:]], y[order[test:]], x[order[:test]], y[order[:test]]), "scikit-learn"


_FINDERS: dict[str, Callable[[list[Path], bool], tuple[Arrays, str]]] = {
    "fashion_mnist": _find_idx("fashion_mnist", "fashion-mnist", FASHION_IDX, npz=False),
    "mnist": _find_idx("mnist", "mnist", MNIST_IDX, npz=True),
    "cifar10": _find_cifar,
    "digits": _find_digits,
}


def locate_problem(spec: Any, data: str | os.PathLike | None = None,
                   download: bool = True) -> str | None:
    """Why the dataset cannot be had (one message), or None when it loads."""
    try:
        load_dataset(spec, data, download)
    except DataError as e:
        return str(e)
    return None


def dataset_identity(spec: Any) -> dict[str, Any] | None:
    """Which data a `dataset` setting reads, for the journal (kept with each run, so that a
    rerun on other data is refused): an official dataset is pinned by its checksums, so its
    name and the digest of their table say it all; an `.npz` file is named by its content
    (None when it cannot be read: the data checks say why)."""
    path = _npz_path(spec)
    if path is None:
        tables = {"fashion_mnist": FASHION_MD5, "mnist": {**MNIST_MD5, "npz": MNIST_NPZ_SHA256},
                  "cifar10": {**CIFAR_BATCH_MD5, "archive": CIFAR_ARCHIVE_MD5}}
        table = sorted(tables.get(str(spec), {}).items())
        digest = hashlib.sha256(repr((str(spec), table)).encode()).hexdigest()[:16]
        return {"kind": str(spec), "id": digest}
    try:
        digest = file_digest(Path(path).resolve(), "sha256")[:16]
    except OSError:
        return None
    return {"kind": "npz", "source": str(Path(path).resolve()), "id": digest}


# --- files ---------------------------------------------------------------------------------------
def fetch(url: str, target: Path, algorithm: str, digest: str,
          timeout: float | None = None) -> Path:
    """Download `url` to `target` through a `.part` file, removed on any failure or
    interrupt; the checksum must match before the file takes its name. `timeout`: the
    stall timeout (default `stall_timeout()`). DataError when the network or the checksum
    fails."""
    timeout = stall_timeout() if timeout is None else timeout
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    with removed_unless_done(part):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, \
                    open(part, "wb") as out:
                while block := response.read(1 << 20):
                    out.write(block)
        except (OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                reason = f"no data for {timeout:g} s (stalled)"
            raise DataError(f"{url}: {reason}") from None
        got = file_digest(part, algorithm)
        if got != digest:
            raise DataError(f"{url}: {algorithm} {got}, expected {digest}")
    os.replace(part, target)
    return target


def _read_idx_file(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    dims = magic & 0xFF
    if magic >> 8 != 0x08 or dims not in (1, 3):
        raise DataError(f"{path}: not an IDX file of unsigned bytes")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def _read_idx(folder: Path) -> Arrays:
    return tuple(_read_idx_file(folder / name) for name in IDX)  # type: ignore[return-value]


def _read_cifar(read: Callable[[str], bytes]) -> Arrays:
    def batch(name: str) -> tuple[np.ndarray, np.ndarray]:
        content = pickle.loads(read(name), encoding="bytes")  # checksum verified before
        x = np.asarray(content[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        return x.transpose(0, 2, 3, 1), np.asarray(content[b"labels"])

    train = [batch(f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = batch("test_batch")
    return (np.concatenate([x for x, _ in train]), np.concatenate([y for _, y in train]),
            x_test, y_test)


def _read_cifar_archive(path: Path) -> Arrays:
    with tarfile.open(path, "r:gz") as tar:
        def read(name: str) -> bytes:
            member = tar.extractfile(f"cifar-10-batches-py/{name}")
            if member is None:
                raise DataError(f"{path} holds no {name}")
            return member.read()

        return _read_cifar(read)
