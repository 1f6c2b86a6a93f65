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


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_each_python_block_runs_as_written(index, nb101_store, monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))  # `data=None`: the default store
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
