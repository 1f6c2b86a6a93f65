"""Fixtures for search tests (the helpers live in search_fixtures.py)."""
from __future__ import annotations

import numpy as np
import pytest

from search_fixtures import CountingSpace, TableEvaluator


@pytest.fixture
def space() -> CountingSpace:
    return CountingSpace()


@pytest.fixture
def table() -> TableEvaluator:
    return TableEvaluator(np.random.default_rng(1234).random(100_000))
