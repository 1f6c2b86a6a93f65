"""Every Python block of the README and of the documentation's pages runs as written, and
says what it returns."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").rglob("*.md"))]
SLOW = ("KerasEvaluator(dataset=\"fashion_mnist\"",)
"""Blocks that train Keras networks: tens of seconds, so in the slow set."""


def blocks(page: Path, language: str = "python") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def python_blocks() -> list[tuple[str, int, str]]:
    """(page, index on that page, code) of every Python block."""
    return [(str(p.relative_to(ROOT)), i, b) for p in PAGES for i, b in enumerate(blocks(p))]


def test_the_pages_have_python_blocks():
    assert len(python_blocks()) >= 7
    assert {page for page, _, _ in python_blocks()} >= {
        "docs/spaces.md", "docs/evaluators.md", "docs/search.md", "docs/extending.md"}


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
    monkeypatch.chdir(tmp_path)
    datasets.forget_loaded()
    yield data
    datasets.forget_loaded()


def test_the_training_blocks_are_among_those_run():
    codes = [code for _, _, code in python_blocks()]
    for marker in SLOW:
        assert any(marker in code for code in codes), marker


@pytest.mark.parametrize("page, index, code", [
    pytest.param(page, index, code, id=f"{page}:{index + 1}",
                 marks=[pytest.mark.slow] if any(m in code for m in SLOW) else [])
    for page, index, code in python_blocks()])
def test_each_python_block_runs_as_written(page, index, code, make_data):
    namespace: dict = {"__name__": f"docs_block_{index}"}
    exec(compile(code, f"{page} python block {index + 1}", "exec"), namespace)


def test_the_space_block_returns_what_its_comments_say(nb101_store, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    block = next(code for _, _, code in python_blocks() if "space.encode" in code)
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
