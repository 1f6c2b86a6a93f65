"""The official files of each image dataset, and whether a file on disk is one of them.

A gzip file is recognised by the checksum of its decompressed content where that is recorded
(Fashion-MNIST): packagers recompress files (Debian's `dataset-fashion-mnist` rewrites each
gzip header, so the `.gz` md5 differs) while the images and labels inside are byte-identical
to the official ones. Other files are recognised by the checksum of the file itself. Sizes are
those of the official downloads, for saying what a download would fetch.
"""
from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Official:
    """One official file: its checksum (`algorithm`, `digest`), the sha256 of its
    decompressed content when it is a gzip file whose content is recorded, its size."""

    algorithm: str
    digest: str
    size: int
    content_sha256: str | None = None


IDX = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
FASHION_MD5 = dict(zip(IDX, ("8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                             "25c81989df183df01b3e8a0aad5dffbe",
                             "bef4ecab320f06d8554ea6380940ec79",
                             "bb300cfdad3c16e7a12a480ee83cd310")))
"""md5 of the official `.gz` files (what the journal's dataset identity is made of)."""
FASHION_CONTENT_SHA256 = dict(zip(IDX, (
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")))
"""sha256 of the decompressed official files (IDX images and labels)."""
FASHION_SIZES = dict(zip(IDX, (26421880, 29515, 4422102, 5148)))
MNIST_MD5 = dict(zip(IDX, ("f68b3c2dcbeaaa9fbdd348bbdeb94873",
                           "d53e105ee54ea40749a09fcbcd1e9432",
                           "9fb629c4189551a2d022fa330f9573f3",
                           "ec29112dd5afa0611ce80d1b7f02629c")))
MNIST_SIZES = dict(zip(IDX, (9912422, 28881, 1648877, 4542)))
MNIST_NPZ = "mnist.npz"
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_NPZ_SIZE = 11490434
CIFAR_ARCHIVE = "cifar-10-python.tar.gz"
CIFAR_ARCHIVE_MD5 = "c58f30108f718f92721af3b95e74349a"
CIFAR_ARCHIVE_SIZE = 170498071
CIFAR_BATCH_MD5 = {"data_batch_1": "c99cafc152244af753f735de768cd75f",
                   "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
                   "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
                   "data_batch_4": "634d18415352ddfa80567beed471001a",
                   "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
                   "test_batch": "40351d587109b95175f43aff81a1287e"}
"""The batches are plain pickles: their md5 is already that of the content."""

Files = dict[str, Official]
"""File name -> what the official file is."""

FASHION_IDX: Files = {n: Official("md5", FASHION_MD5[n], FASHION_SIZES[n],
                                  FASHION_CONTENT_SHA256[n]) for n in IDX}
MNIST_IDX: Files = {n: Official("md5", MNIST_MD5[n], MNIST_SIZES[n]) for n in IDX}
MNIST_KERAS: Files = {MNIST_NPZ: Official("sha256", MNIST_NPZ_SHA256, MNIST_NPZ_SIZE)}
CIFAR_BATCHES: Files = {n: Official("md5", d, 0) for n, d in CIFAR_BATCH_MD5.items()}
CIFAR_TAR: Files = {CIFAR_ARCHIVE: Official("md5", CIFAR_ARCHIVE_MD5, CIFAR_ARCHIVE_SIZE)}

LAYOUTS: dict[str, tuple[Files, ...]] = {
    "fashion_mnist": (FASHION_IDX,),
    "mnist": (MNIST_KERAS, MNIST_IDX),
    "cifar10": (CIFAR_BATCHES, CIFAR_TAR),
}
"""The sets of files that make each dataset, each enough on its own."""
FOLDERS = {"fashion_mnist": "fashion-mnist", "mnist": "mnist", "cifar10": "cifar10"}
"""Each dataset's sub-folder in a data folder (where `nasdsl data NAME --import` puts it)."""


def file_problem(path: Path, official: Official) -> str | None:
    """Why `path` is not the official file (a sentence naming it), or None when it is."""
    if official.content_sha256 is not None:
        try:
            got = content_digest(path)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            return f"{path}: not a readable gzip file ({e})"
        if got != official.content_sha256:
            return (f"{path}: decompressed content has sha256 {got}, expected "
                    f"{official.content_sha256} (damaged or another file)")
        return None
    got = file_digest(path, official.algorithm)
    if got != official.digest:
        return (f"{path}: {official.algorithm} {got}, expected {official.digest} "
                "(damaged or another file)")
    return None


def file_digest(path: Path, algorithm: str = "md5") -> str:
    """Hex digest of a file (remembered per path, size and modification time)."""
    st = path.stat()
    return _digest(str(path), algorithm, st.st_size, st.st_mtime_ns, False)


def content_digest(path: Path) -> str:
    """sha256 of a gzip file's decompressed content (remembered like `file_digest`)."""
    st = path.stat()
    return _digest(str(path), "sha256", st.st_size, st.st_mtime_ns, True)


@lru_cache(maxsize=64)
def _digest(path: str, algorithm: str, size: int, mtime: int, gunzip: bool) -> str:
    h = hashlib.new(algorithm)
    with (gzip.open if gunzip else open)(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download_size(files: Files) -> int:
    """Bytes a download of `files` fetches."""
    return sum(f.size for f in files.values())
