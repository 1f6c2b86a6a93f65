"""The documented Python entry points."""
from __future__ import annotations

from pathlib import Path

import numpy as np

import nasdsl
from nasdsl import NeuralDescriptor, load
from nasdsl.spaces import CellSpace, GlobalSpace, make_space, plan_spaces

ROOT = Path(__file__).resolve().parent.parent


def test_load_gives_a_plan_whose_spaces_are_built():
    plan = load(ROOT / "experiments" / "fashion_global_pso.nas")
    assert isinstance(plan, nasdsl.Plan)
    spaces = plan_spaces(plan)
    assert [type(s) for s in spaces.values()] == [GlobalSpace] * 3
    assert sorted(s.size() for s in spaces.values()) == [5 ** 5, 5 ** 7, 5 ** 9]
    cell = load(ROOT / "experiments" / "quickstart.nas")
    space = next(iter(plan_spaces(cell).values()))
    assert isinstance(space, CellSpace) and space.size() == 423_624


def test_runs_carry_paired_seeds():
    plan = load(ROOT / "experiments" / "quickstart.nas")
    by_search = {}
    for run in plan.runs:
        by_search.setdefault(run.config.label, []).append(run.seed)
    assert by_search == {label: [0, 1, 2, 3, 4]
                         for label in ("random", "evolution_flip", "evolution_grow")}


def test_descriptor_of_a_planned_space_round_trips():
    plan = load(ROOT / "experiments" / "quickstart.nas")
    spec = plan.configs[0].space
    space = make_space(spec)
    cell = space.sample(np.random.default_rng(3))
    d = space.to_descriptor(cell)
    assert isinstance(d, NeuralDescriptor)
    assert space.from_descriptor(d) == cell
    assert NeuralDescriptor.from_text(d.to_text()) == d
