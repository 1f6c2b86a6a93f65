"""Per-evaluation seeds: deterministic, in range, distinct between neighbours."""
from __future__ import annotations

from hypothesis import given, strategies as st

from nasdsl.seeding import evaluation_seed

seeds = st.integers(min_value=0, max_value=2**40)
indices = st.integers(min_value=0, max_value=10**7)


@given(seeds, indices)
def test_evaluation_seed_is_deterministic_and_32_bit(seed: int, index: int):
    value = evaluation_seed(seed, index)
    assert value == evaluation_seed(seed, index)
    assert 0 <= value < 2**32


@given(seeds, indices)
def test_neighbouring_runs_and_indices_get_different_seeds(seed: int, index: int):
    here = evaluation_seed(seed, index)
    assert here != evaluation_seed(seed, index + 1)
    assert here != evaluation_seed(seed + 1, index)


def test_seeds_of_a_run_do_not_repeat():
    values = {evaluation_seed(7, i) for i in range(100_000)}
    assert len(values) > 99_990  # 32-bit values: a handful of birthday collisions at most
