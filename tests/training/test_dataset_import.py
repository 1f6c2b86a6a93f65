"""`nasdsl data fashion_mnist --import DIR`: the official files, a recompressed copy (as Debian
ships) and a damaged one; what is imported is what every later lookup finds."""
from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.training import datasets
from nasdsl.training.dataset_import import import_dataset
from nasdsl.training.datasets import load_dataset
from nasdsl.training.official import FASHION_CONTENT_SHA256, FASHION_MD5, IDX

DEBIAN = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No Keras cache, no Debian folder, no network, an empty data folder of its own."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("NASDSL_DATA", str(tmp_path / "data"))
    monkeypatch.setenv(datasets.MIRROR_ENV, "http://127.0.0.1:9/")
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "usr-share-datasets")
    datasets.forget_loaded()
    yield
    datasets.forget_loaded()


@pytest.fixture(scope="module")
def recompressed(fashion_mnist_dir, tmp_path_factory) -> Path:
    """The official content, gzip-compressed again at level 1 (other bytes, other md5)."""
    folder = tmp_path_factory.mktemp("recompressed")
    for name in IDX:
        with gzip.open(fashion_mnist_dir / name, "rb") as src:
            content = src.read()
        (folder / name).write_bytes(gzip.compress(content, compresslevel=1, mtime=0))
    return folder


def _debian_style(official: Path, target: Path) -> None:
    """What Debian's package build does to a `.gz`: the same deflate stream and trailer, the
    header rewritten without the file name and with another time."""
    raw = official.read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08" and raw[3] == 0x08  # FNAME only
    body = raw[raw.index(b"\x00", 10) + 1:]
    target.write_bytes(raw[:3] + b"\x00" + (1590192000).to_bytes(4, "little") + raw[8:10] + body)


def _nasdsl(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NASDSL_DATA": str(data)}
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_official_files_are_imported_and_every_lookup_finds_them(fashion_mnist_dir,
                                                                     tmp_path):
    data = tmp_path / "data"
    done = _nasdsl("data", "fashion_mnist", "--import", str(fashion_mnist_dir), data=data)
    assert done.returncode == 0, done.stderr
    target = data / "fashion-mnist"
    assert done.stdout.strip().endswith(f"into {target}")
    for name in IDX:
        assert (target / name).read_bytes() == (fashion_mnist_dir / name).read_bytes()
    d = load_dataset("fashion_mnist")  # no `data` setting: the imported copy
    assert d.source == str(target.resolve()) and d.x_train.shape == (60000, 28, 28, 1)
    again = _nasdsl("data", "fashion_mnist", "--import", str(tmp_path / "gone"),
                    "--if-missing", data=data)
    assert again.returncode == 0 and "already imported" in again.stdout


def test_a_recompressed_copy_is_imported_and_found_by_its_content(recompressed, tmp_path):
    assert hashlib.md5((recompressed / IDX[0]).read_bytes()).hexdigest() != FASHION_MD5[IDX[0]]
    in_place = load_dataset("fashion_mnist", recompressed)  # found where it lies
    assert in_place.source == str(recompressed.resolve())
    datasets.forget_loaded()
    got = import_dataset("fashion_mnist", recompressed)
    assert got.folder == tmp_path / "data" / "fashion-mnist" and len(got.files) == 4
    imported = load_dataset("fashion_mnist")
    assert imported.source == str(got.folder.resolve())
    assert np.array_equal(imported.x_test, in_place.x_test)
    assert np.bincount(imported.y_train).tolist() == [6000] * 10


def test_files_as_debian_ships_them_are_found_in_debians_folder(fashion_mnist_dir, tmp_path,
                                                                monkeypatch):
    debian = tmp_path / "debian" / "fashion-mnist"
    debian.mkdir(parents=True)
    for name in IDX:
        _debian_style(fashion_mnist_dir / name, debian / name)
    assert hashlib.md5((debian / IDX[0]).read_bytes()).hexdigest() != FASHION_MD5[IDX[0]]
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "debian")
    assert load_dataset("fashion_mnist").source == str(debian)


@pytest.mark.skipif(not DEBIAN.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_debians_own_package_files_are_imported(tmp_path):
    got = import_dataset("fashion_mnist", DEBIAN)
    assert load_dataset("fashion_mnist").source == str(got.folder.resolve())


def test_damaged_content_is_refused_with_a_sentence_and_nothing_imported(recompressed,
                                                                         tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in IDX:
        (damaged / name).symlink_to(recompressed / name)
    labels = damaged / "train-labels-idx1-ubyte.gz"
    content = bytearray(gzip.decompress(labels.read_bytes()))
    content[100] = (content[100] + 1) % 10  # one label changed, still a valid file
    labels.unlink()
    labels.write_bytes(gzip.compress(bytes(content)))
    data = tmp_path / "data"
    done = _nasdsl("data", "fashion_mnist", "--import", str(damaged), data=data)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: cannot import fashion_mnist from {damaged}: {labels}: "
                           "decompressed content has sha256 ")
    assert line.endswith(f"expected {FASHION_CONTENT_SHA256[labels.name]} (damaged or "
                         "another file)")
    assert not data.exists() or not any(data.iterdir())
    with pytest.raises(DataError, match="decompressed content has sha256"):
        load_dataset("fashion_mnist", damaged)  # the lookup refuses it too


def test_a_folder_without_the_dataset_is_refused_naming_the_files(tmp_path):
    (tmp_path / "empty").mkdir()
    done = _nasdsl("data", "cifar10", "--import", str(tmp_path / "empty"), data=tmp_path / "d")
    assert done.returncode == 2
    assert done.stderr == (f"error: cannot import cifar10: {tmp_path / 'empty'} holds no copy "
                           "of it (expected data_batch_1, data_batch_2, data_batch_3, "
                           "data_batch_4, data_batch_5, test_batch or "
                           "cifar-10-python.tar.gz)\n")


def test_a_file_that_is_not_the_official_one_is_refused(tmp_path):
    fake = tmp_path / "mnist.npz"
    np.savez(fake, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(DataError) as e:
        import_dataset("mnist", fake, tmp_path / "d")
    assert str(e.value).startswith(f"cannot import mnist from {fake}: {fake}: sha256 ")
    assert not (tmp_path / "d").exists()
