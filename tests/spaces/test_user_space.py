"""A user's own space, in a package outside nasdsl, installed under a name of its own through
the `nasdsl.spaces` entry-point group: the controllers search it through the decision
environment the space gives (`Space.environment()`), as `nasdsl run` runs them."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = '''\
"""Bit strings of `length` bits, built bit by bit: a space of the user's own."""
import numpy as np

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result
from nasdsl.spaces.base import Space
from nasdsl.spaces.environment import Environment, Episode


class BitSpace(Space):
    """Bit strings; every one valid."""

    kind = "bits"

    def __init__(self, length: int = 6):
        self.length = length

    def sample(self, rng):
        return tuple(int(b) for b in rng.integers(0, 2, self.length))

    def grow(self, arch, rng, add_node=0.1, add_connection=0.1, redraw=True):
        return self.flip(arch, rng)

    def flip(self, arch, rng, rate=1.0):
        i = int(rng.integers(self.length))
        return arch[:i] + (1 - arch[i],) + arch[i + 1:]

    def encode(self, arch):
        return np.array(arch, dtype=np.int64)

    def decode(self, x):
        return tuple(int(v) for v in x)

    @property
    def bounds(self):
        return np.zeros(self.length, dtype=np.int64), np.ones(self.length, dtype=np.int64)

    @property
    def nix(self):
        return self.length

    def is_valid(self, arch):
        return len(arch) == self.length and set(arch) <= {0, 1}

    def invalid_reason(self, arch):
        return None if self.is_valid(arch) else "not a bit string of the space's length"

    def key(self, arch):
        return "".join(map(str, arch))

    canonical = key

    def parse(self, text):
        return tuple(int(c) for c in text)

    def size(self):
        return 2 ** self.length

    def to_descriptor(self, arch):
        return arch

    def from_descriptor(self, descriptor):
        return tuple(descriptor)

    def environment(self):
        return BitEnvironment(self)


class BitEnvironment(Environment):
    """One decision per bit, in order: 0 or 1."""

    def __init__(self, space):
        self.space = space
        self.action_names = ("0", "1")
        self.slots = space.length
        self.max_decisions = space.length

    def reset(self):
        episode = BitEpisode(self)
        episode._settle()
        return episode


class BitEpisode(Episode):
    def __init__(self, environment):
        super().__init__(environment)
        self.bits = []

    def _allowed(self):
        self.slot = len(self.bits)
        return np.ones(2, dtype=bool)

    def _apply(self, action):
        self.bits.append(int(action))
        self.done = len(self.bits) == self.environment.space.length

    def architecture(self):
        return tuple(self.bits)


class Ones(Evaluator):
    """The share of ones."""

    metrics = ("ones",)

    def evaluate(self, x, seed=None):
        return Result(fitness=sum(x) / len(x), metrics={"ones": sum(x)})
'''
EXPERIMENT = """\
experiment bits
seed = 3
budget = 24 evaluations
space bits { length = 6 }
evaluate "bit_strings:Ones"
search dqn { batch_size = 4 }
search ppo { batch = 4 }
output = "out"
"""


@pytest.fixture
def installed(tmp_path: Path) -> dict[str, str]:
    """The package and its distribution's metadata (registering `bits`) on the import path
    of the commands this test starts."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "bit_strings.py").write_text(PACKAGE)
    info = folder / "bit_strings-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bit-strings\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[nasdsl.spaces]\nbits = bit_strings:BitSpace\n")
    path = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def test_a_user_s_space_from_an_entry_point_runs_under_dqn_and_ppo(tmp_path, installed):
    (tmp_path / "exp.nas").write_text(EXPERIMENT)
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas"], cwd=tmp_path,
                          env=installed, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    db = sqlite3.connect(tmp_path / "out" / "journal.sqlite")
    rows = db.execute("SELECT c.algorithm, e.architecture, e.status FROM evaluations e "
                      "JOIN runs r ON r.run = e.run JOIN configs c ON c.config = r.config"
                      ).fetchall()
    by_search = {a: [arch for b, arch, status in rows if b == a and status == "ok"]
                 for a in ("dqn", "ppo")}
    assert {a: len(archs) for a, archs in by_search.items()} == {"dqn": 24, "ppo": 24}
    assert all(len(arch) == 6 and set(arch) <= {"0", "1"} for arch in by_search["dqn"] +
               by_search["ppo"])
    outcomes = [json.loads(o) for (o,) in db.execute("SELECT outcome FROM outcomes")]
    assert len(outcomes) == 2 and all(len(o["greedy"]) == 6 for o in outcomes)


def test_a_user_s_space_without_an_environment_is_refused_before_the_run(tmp_path, installed):
    package = Path(installed["PYTHONPATH"].split(os.pathsep)[0]) / "bit_strings.py"
    package.write_text(package.read_text().replace("    def environment(self):\n"
                                                   "        return BitEnvironment(self)\n", ""))
    (tmp_path / "exp.nas").write_text(EXPERIMENT)
    refusal = "BitSpace offers no decision environment, so `dqn` and `ppo` cannot search it"
    checked = subprocess.run([sys.executable, "-m", "nasdsl.cli", "check", "exp.nas"],
                             cwd=tmp_path, env=installed, capture_output=True, text=True,
                             timeout=120)
    assert f"warning: search dqn: {refusal}" in checked.stdout + checked.stderr
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas"],
                          cwd=tmp_path, env=installed, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert refusal in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "journal.sqlite").exists()
