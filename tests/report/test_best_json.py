"""best.json gives back the very architectures the journal recorded, in every form it holds."""
from __future__ import annotations

import json

import numpy as np
import pytest

from nasdsl.report import write_report
from nasdsl.report.best import descriptor_from_json
from nasdsl.spaces.cell import Cell
from nasdsl.spaces.cell_space import CellSpace

from journal_fixtures import RE_RUNS, write_journal


@pytest.fixture
def cells():
    space = CellSpace()
    rng = np.random.default_rng(5)
    picked = [space.sample(rng) for _ in range(len(RE_RUNS[0]))]
    return space, picked


@pytest.fixture
def best(tmp_path, cells):
    space, picked = cells
    write_journal(tmp_path / "journal.sqlite", archs=[space.canonical(c) for c in picked],
                  hashes=[space.key(c) for c in picked])
    write_report(tmp_path)
    return json.loads((tmp_path / "best.json").read_text())


def test_each_entry_rebuilds_the_recorded_architecture(best, cells):
    space, picked = cells
    entries = [run for config in best["configs"] for run in config["runs"]]
    assert len(entries) == 3
    for entry in entries:
        recorded = picked[entry["index"]]
        assert entry["hash"] == space.key(recorded)
        assert space.key(space.parse(entry["architecture"])) == entry["hash"]
        from_descriptor = space.from_descriptor(descriptor_from_json(entry["descriptor"]))
        assert space.key(from_descriptor) == entry["hash"]
        spec = entry["nasbench101"]
        assert space.key(Cell.from_nasbench(spec["matrix"], spec["ops"])) == entry["hash"]
        assert spec["ops"][0] == "input" and spec["ops"][-1] == "output"


def test_descriptors_have_nord_shapes(best):
    descriptor = best["configs"][0]["runs"][0]["descriptor"]
    layers = descriptor["layers"]
    assert all(isinstance(v, list) and len(v) == 2 for v in layers.values())
    ops = {v[0] for v in layers.values()}
    assert {"input", "output"} <= ops <= {"input", "output", "conv1x1-bn-relu",
                                          "conv3x3-bn-relu", "maxpool3x3"}
    assert set(descriptor["connections"]) == set(layers)


def test_the_configuration_best_is_its_fittest_run(best):
    re = best["configs"][0]
    assert re["best"]["fitness"] == max(r["fitness"] for r in re["runs"]) == 0.7
    assert re["space"]["kind"] == "cell"
