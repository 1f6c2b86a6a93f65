"""Every Python block of the README runs as written, and says what it returns."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.S | re.M)


def test_the_readme_has_python_blocks():
    assert len(python_blocks()) >= 2


@pytest.fixture
def make_data(nb101_store, fashion_mnist_dir, tmp_path, monkeypatch) -> Path:
    """The data folder as `make data` leaves it (the store, Fashion-MNIST imported), the only
    place data is found: no Keras cache, no network."""
    from nasdsl.training import datasets
    from nasdsl.training.dataset_import import import_dataset

    data = tmp_path / "data"
    data.mkdir()
    (data / "nasbench101").symlink_to(nb101_store, target_is_directory=True)
    import_dataset("fashion_mnist", fashion_mnist_dir, data)
    monkeypatch.setenv("NASDSL_DATA", str(data))  # `data=None`: the default data folder
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv(datasets.MIRROR_ENV, "http://127.0.0.1:9/")  # refused at once
    monkeypatch.setattr(datasets, "DEBIAN_DATASETS", tmp_path / "none")
    datasets.forget_loaded()
    yield data
    datasets.forget_loaded()


def _is_keras(block: str) -> bool:
    return "KerasEvaluator(dataset=\"fashion_mnist\"" in block


def test_the_keras_block_is_among_those_run():
    assert any(_is_keras(b) for b in python_blocks())


@pytest.mark.parametrize("index", [  # the Keras block trains (about 30 s on two cores)
    pytest.param(i, marks=pytest.mark.slow) if _is_keras(b) else i
    for i, b in enumerate(python_blocks())])
def test_each_python_block_runs_as_written(index, make_data):
    namespace: dict = {"__name__": f"readme_block_{index}"}
    exec(compile(python_blocks()[index], f"README.md python block {index + 1}", "exec"),
         namespace)


def test_the_space_block_returns_what_its_comments_say(nb101_store, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    block = next(b for b in python_blocks() if "space.encode" in b)
    ns: dict = {}
    exec(block, ns)
    space, x = ns["space"], ns["x"]
    assert x.dtype.kind == "i" and x.shape == (26,) == (space.nix,)
    assert space.key(space.decode(x)) == space.key(ns["child"])
    assert space.size() == 423624
    hashes = ns["hashing"].hash_many(ns["adjacency"], ns["labels"])
    assert hashes[0] == hashes[1] == ns["hashing"].spec_hash(
        ns["matrix"], ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    assert np.issubdtype(ns["g"].encode(ns["g"].sample(ns["rng"])).dtype, np.integer)
