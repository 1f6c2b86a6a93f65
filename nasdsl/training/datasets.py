"""Image datasets found without a network where possible, checksum-verified, as numpy arrays.

Where each dataset is looked for, in order (the first place whose files pass the check wins):

| dataset | places |
| --- | --- |
| `fashion_mnist` | the Keras cache (`$KERAS_HOME/datasets/fashion-mnist`, default `~/.keras`), Debian's `/usr/share/datasets/fashion-mnist` (package `dataset-fashion-mnist`), the `data` folder (or its `fashion-mnist` subfolder), else a download into the Keras cache |
| `mnist` | the Keras cache's `mnist.npz`, the `data` folder (`mnist.npz`, or the four official `.gz` files, also in a `mnist` subfolder), else a download of `mnist.npz` |
| `cifar10` | the Keras cache (`cifar-10-batches-py` as extracted by Keras 2 or 3, or the archive), the `data` folder (`cifar-10-python.tar.gz` or `cifar-10-batches-py`), else a download of the archive |
| `digits` | scikit-learn's copy (installed with scikit-learn, never downloaded) |
| `npz("path")` | that file: arrays `x_train`, `y_train`, `x_test`, `y_test` |

Files are checked against the official checksums (md5 of Fashion-MNIST's and MNIST's `.gz`
files and of the CIFAR-10 archive and batches, sha256 of Keras's `mnist.npz`). A download
goes to `$NASDSL_DATASET_MIRROR` (a URL prefix) when set, else to the usual hosts. A dataset
that cannot be found raises `DataError` naming every place looked at and what was wrong there.

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from nasdsl.errors import DataError

KNOWN = ("fashion_mnist", "mnist", "digits", "cifar10")
DEBIAN_DATASETS = Path("/usr/share/datasets")
MIRROR_ENV = "NASDSL_DATASET_MIRROR"
_KERAS_HOST = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_CIFAR_HOST = "https://www.cs.toronto.edu/~kriz/"

_IDX = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FASHION_MD5 = dict(zip(_IDX, ("8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                              "25c81989df183df01b3e8a0aad5dffbe",
                              "bef4ecab320f06d8554ea6380940ec79",
                              "bb300cfdad3c16e7a12a480ee83cd310")))
MNIST_MD5 = dict(zip(_IDX, ("f68b3c2dcbeaaa9fbdd348bbdeb94873",
                            "d53e105ee54ea40749a09fcbcd1e9432",
                            "9fb629c4189551a2d022fa330f9573f3",
                            "ec29112dd5afa0611ce80d1b7f02629c")))
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR_ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR_BATCH_MD5 = {"data_batch_1": "c99cafc152244af753f735de768cd75f",
                   "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
                   "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
                   "data_batch_4": "634d18415352ddfa80567beed471001a",
                   "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
                   "test_batch": "40351d587109b95175f43aff81a1287e"}

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
    process. `data`: a folder to look in; `download`: fetch it when found nowhere."""
    path = _npz_path(spec)
    key = f"npz:{Path(path).resolve()}" if path is not None else str(spec)
    return _load(key, None if data is None else str(Path(data).resolve()), download)


@lru_cache(maxsize=2)
def _load(key: str, data: str | None, download: bool) -> Dataset:
    if key.startswith("npz:"):
        path = Path(key[4:])
        x_train, y_train, x_test, y_test = _read_npz_file(path)
        name, source = f'npz("{path}")', str(path)
    else:
        if key not in KNOWN:
            raise DataError(f"unknown dataset {key!r}; known: {', '.join(KNOWN)}, npz(\"path\")")
        (x_train, y_train, x_test, y_test), source = _FINDERS[key](
            Path(data) if data else None, download)
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
        return DataError(f"dataset `{self.dataset}` not found; looked in:\n    "
                         + "\n    ".join(self.notes))

    def files(self, folder: Path, checks: dict[str, tuple[str, str]]) -> bool:
        """True when `folder` holds every file of `checks` (name -> (algorithm, digest))."""
        missing = [n for n in checks if not (folder / n).is_file()]
        if missing:
            what = "not there" if len(missing) == len(checks) else "lacks " + ", ".join(missing)
            self.notes.append(f"{folder}: {what}")
            return False
        for name, (algorithm, digest) in checks.items():
            got = file_digest(folder / name, algorithm)
            if got != digest:
                self.notes.append(f"{folder / name}: {algorithm} {got}, expected {digest} "
                                  "(damaged or another file)")
                return False
        return True

    def download(self, folder: Path, names: dict[str, tuple[str, str]], host: str,
                 allowed: bool) -> bool:
        """Fetch `names` into `folder` (checksums verified); True when every file arrived."""
        if not allowed:
            self.notes.append("download: not attempted")
            return False
        base = os.environ.get(MIRROR_ENV) or host
        try:
            for name, (algorithm, digest) in names.items():
                fetch(base.rstrip("/") + "/" + name, folder / name, algorithm, digest)
        except DataError as e:
            self.notes.append(f"download: {e}")
            try:
                folder.rmdir()  # made for the download; left only when something else is there
            except OSError:
                pass
            return False
        return True


def _md5s(table: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {name: ("md5", digest) for name, digest in table.items()}


def _folders(data: Path | None, sub: str) -> list[Path]:
    return [] if data is None else [data, data / sub]


def _find_idx(dataset: str, sub: str, md5: dict[str, str], npz: bool):
    def find(data: Path | None, download: bool) -> tuple[Arrays, str]:
        search = _Search(dataset)
        checks = _md5s(md5)
        npz_checks = {"mnist.npz": ("sha256", MNIST_NPZ_SHA256)}
        places: list[tuple[Path, bool]] = []
        if npz:
            places.append((keras_cache(), True))
        else:
            places += [(keras_cache() / sub, False), (DEBIAN_DATASETS / sub, False)]
        for folder in _folders(data, sub):
            places += [(folder, True)] if npz else []
            places.append((folder, False))
        for folder, as_npz in places:
            if as_npz and search.files(folder, npz_checks):
                return _read_npz_file(folder / "mnist.npz"), str(folder / "mnist.npz")
            if not as_npz and search.files(folder, checks):
                return _read_idx(folder), str(folder)
        target = keras_cache() if npz else keras_cache() / sub
        if search.download(target, npz_checks if npz else checks, _KERAS_HOST, download):
            if npz:
                return _read_npz_file(target / "mnist.npz"), str(target / "mnist.npz")
            return _read_idx(target), str(target)
        raise search.refuse()
    return find


def _find_cifar(data: Path | None, download: bool) -> tuple[Arrays, str]:
    search = _Search("cifar10")
    cache = keras_cache()
    batches = _md5s(CIFAR_BATCH_MD5)
    archive = {CIFAR_ARCHIVE: ("md5", CIFAR_ARCHIVE_MD5)}
    folders = [cache / "cifar-10-batches-py-target_extracted" / "cifar-10-batches-py",
               cache / "cifar-10-batches-py"]
    folders += [f / "cifar-10-batches-py" for f in _folders(data, "cifar10")]
    folders += _folders(data, "cifar10")
    for folder in folders:
        if search.files(folder, batches):
            return _read_cifar(lambda name: (folder / name).read_bytes()), str(folder)
    keras_archive = cache / "cifar-10-batches-py-target"
    if keras_archive.is_file() and file_digest(keras_archive, "md5") == CIFAR_ARCHIVE_MD5:
        return _read_cifar_archive(keras_archive), str(keras_archive)
    search.notes.append(f"{keras_archive}: not there or not the CIFAR-10 archive")
    for folder in [cache, *_folders(data, "cifar10")]:
        if search.files(folder, archive):
            return _read_cifar_archive(folder / CIFAR_ARCHIVE), str(folder / CIFAR_ARCHIVE)
    if search.download(cache, archive, _CIFAR_HOST, download):
        return _read_cifar_archive(cache / CIFAR_ARCHIVE), str(cache / CIFAR_ARCHIVE)
    raise search.refuse()


def _find_digits(data: Path | None, download: bool) -> tuple[Arrays, str]:
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


_FINDERS: dict[str, Callable[[Path | None, bool], tuple[Arrays, str]]] = {
    "fashion_mnist": _find_idx("fashion_mnist", "fashion-mnist", FASHION_MD5, npz=False),
    "mnist": _find_idx("mnist", "mnist", MNIST_MD5, npz=True),
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
@lru_cache(maxsize=64)
def _digest(path: str, algorithm: str, size: int, mtime: int) -> str:
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_digest(path: Path, algorithm: str = "md5") -> str:
    """Hex digest of a file (remembered per path, size and modification time)."""
    st = path.stat()
    return _digest(str(path), algorithm, st.st_size, st.st_mtime_ns)


def fetch(url: str, target: Path, algorithm: str, digest: str, timeout: float = 60.0) -> Path:
    """Download `url` to `target` through a temporary file; the checksum must match before
    the file takes its name. DataError when the network or the checksum fails."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(part, "wb") as out:
            while block := response.read(1 << 20):
                out.write(block)
    except (OSError, ValueError) as e:
        part.unlink(missing_ok=True)
        raise DataError(f"{url}: {getattr(e, 'reason', None) or e}") from None
    got = file_digest(part, algorithm)
    if got != digest:
        part.unlink(missing_ok=True)
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
    return tuple(_read_idx_file(folder / name) for name in
                 (_IDX[0], _IDX[1], _IDX[2], _IDX[3]))  # type: ignore[return-value]


def _read_npz_file(path: Path) -> Arrays:
    if not path.is_file():
        raise DataError(f'dataset npz("{path}"): no such file')
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in f]
            if missing:
                raise DataError(f"{path} lacks {', '.join(missing)} (an .npz dataset holds "
                                "x_train, y_train, x_test, y_test)")
            arrays = tuple(np.asarray(f[k]) for k in ("x_train", "y_train", "x_test", "y_test"))
    except (OSError, ValueError) as e:
        raise DataError(f"{path}: not a readable .npz ({e})") from None
    x_train, y_train, x_test, y_test = arrays
    if len(x_train) != len(np.reshape(y_train, -1)) or len(x_test) != len(np.reshape(y_test, -1)):
        raise DataError(f"{path}: x_train/y_train or x_test/y_test differ in length")
    return arrays  # type: ignore[return-value]


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
