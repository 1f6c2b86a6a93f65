"""Datasets found offline in the documented order, checksums verified, refused with every place
named; downloads from a local server; npz and digits; the search split."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from nasdsl.errors import DataError
from nasdsl.plan import Call
from nasdsl.training import datasets
from nasdsl.training.datasets import FASHION_MD5, fetch, load_dataset
from nasdsl.training.split import search_split

UNREACHABLE = "http://127.0.0.1:9/"  # discard port: refused at once, nothing leaves the machine


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No Keras cache, no Debian folder, no network, nothing remembered between tests."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "usr-share-datasets")
    monkeypatch.setenv(datasets.MIRROR_ENV, UNREACHABLE)
    datasets.forget_loaded()
    yield
    datasets.forget_loaded()


def _link(folder: Path, target: Path) -> Path:
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.symlink_to(target, target_is_directory=True)
    return folder


def test_fashion_mnist_from_the_data_folder_scaled_and_labelled(fashion_mnist_dir):
    d = load_dataset("fashion_mnist", fashion_mnist_dir)
    assert d.x_train.shape == (60000, 28, 28, 1) and d.x_test.shape == (10000, 28, 28, 1)
    assert d.x_train.dtype == np.float32 and 0.0 <= d.x_train.min() and d.x_train.max() == 1.0
    assert d.classes == 10 and d.input_shape == (28, 28, 1)
    assert np.bincount(d.y_train).tolist() == [6000] * 10
    assert d.source == str(Path(fashion_mnist_dir).resolve())


def test_the_keras_cache_comes_first_then_debian_then_the_data_folder(fashion_mnist_dir,
                                                                      tmp_path):
    debian = _link(tmp_path / "usr-share-datasets" / "fashion-mnist", fashion_mnist_dir)
    assert load_dataset("fashion_mnist", fashion_mnist_dir).source == str(debian)
    datasets.forget_loaded()
    cache = _link(tmp_path / "keras-home" / "datasets" / "fashion-mnist", fashion_mnist_dir)
    assert load_dataset("fashion_mnist", None).source == str(cache)


def test_a_damaged_file_is_skipped_and_a_missing_dataset_refused_naming_every_place(
        tmp_path, fashion_mnist_dir):
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in FASHION_MD5:
        (bad / name).symlink_to(Path(fashion_mnist_dir) / name)
    (bad / "t10k-labels-idx1-ubyte.gz").unlink()
    (bad / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not the labels")
    with pytest.raises(DataError) as e:
        load_dataset("fashion_mnist", bad)
    text = str(e.value)
    assert "dataset `fashion_mnist` not found" in text
    assert str(tmp_path / "keras-home" / "datasets" / "fashion-mnist") + ": not there" in text
    assert str(tmp_path / "usr-share-datasets" / "fashion-mnist") in text
    assert "t10k-labels-idx1-ubyte.gz: not a readable gzip file" in text
    assert "download: http://127.0.0.1:9/train-images-idx3-ubyte.gz" in text
    assert 'data = "…"' in text and "nasdsl data fashion_mnist --import DIR" in text


def _serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_download_lands_in_the_keras_cache_only_when_its_checksum_matches(
        monkeypatch, tmp_path, fashion_mnist_dir):
    server = _serve(Path(fashion_mnist_dir))
    try:
        monkeypatch.setenv(datasets.MIRROR_ENV, f"http://127.0.0.1:{server.server_port}/")
        d = load_dataset("fashion_mnist", None)
        cache = tmp_path / "keras-home" / "datasets" / "fashion-mnist"
        assert d.source == str(cache) and sorted(p.name for p in cache.iterdir()) == sorted(FASHION_MD5)
        url = f"http://127.0.0.1:{server.server_port}/README.md"
        with pytest.raises(DataError, match="md5 .* expected 0+"):
            fetch(url, tmp_path / "x" / "README.md", "md5", "0" * 32)
        assert not any((tmp_path / "x").iterdir())  # neither the file nor its .part
    finally:
        server.shutdown()


def test_npz_datasets_and_their_refusals(tmp_path):
    path = tmp_path / "tiny.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (20, 6, 5), dtype=np.uint8),
             y_train=np.arange(20) % 3, x_test=rng.integers(0, 256, (6, 6, 5), dtype=np.uint8),
             y_test=np.arange(6) % 3)
    d = load_dataset(Call("npz", {"path": str(path)}))
    assert d.input_shape == (6, 5, 1) and d.classes == 3 and d.x_train.max() <= 1.0
    np.savez(tmp_path / "half.npz", x_train=np.zeros((2, 4, 4)), y_train=np.zeros(2, int))
    with pytest.raises(DataError, match="lacks x_test, y_test"):
        load_dataset(Call("npz", {"path": str(tmp_path / "half.npz")}))
    with pytest.raises(DataError, match="no such file"):
        load_dataset(Call("npz", {"path": str(tmp_path / "none.npz")}))


def test_digits_is_scikit_learns_copy_or_refused_clearly():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        with pytest.raises(DataError, match="scikit-learn is not installed"):
            load_dataset("digits")
        return
    d = load_dataset("digits")
    assert d.input_shape == (8, 8, 1) and d.classes == 10 and len(d.x_test) == 1797 // 5


def test_the_search_split_is_fixed_disjoint_and_sized_by_subset_and_validation(
        fashion_mnist_dir):
    d = load_dataset("fashion_mnist", fashion_mnist_dir)
    s = search_split(d, 0.2, 1000)
    assert len(s.x_train) == 800 and len(s.x_validation) == 200
    again = search_split(d, 0.2, 1000)
    assert np.array_equal(s.x_validation, again.x_validation)
    assert len(search_split(d, 0.1, 0.05).x_validation) == 300
    train = {a.tobytes() for a in s.x_train}
    assert not any(a.tobytes() in train for a in s.x_validation)
    with pytest.raises(DataError, match="holds 60000 images"):
        search_split(d, 0.1, 70000)
    with pytest.raises(DataError, match="no validation image"):
        search_split(d, 0.1, 4)
