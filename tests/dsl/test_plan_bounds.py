"""`check` does bounded work: space sizes are counted without materializing the space (or not
counted, saying why), and plans too large to run are refused with their number before they
are expanded."""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from nasdsl.dsl import limits, loads
from nasdsl.cli.check import count_text, plan_lines
from nasdsl.errors import DslError
from nasdsl.spaces import CellSpace
from nasdsl.spaces.global_space import GlobalSpace

def text(space="space cell { vertices = 7 }", search="search random", top="") -> str:
    return (f"experiment bounds\nbudget = 10 evaluations\n{space}\n"
            f'evaluate "json:JSONDecoder" {{ }}\n{search}\n{top}')


def refused(source: str, match: str) -> DslError:
    with pytest.raises(DslError, match=match) as info:
        loads(source, "exp.nas")
    return info.value


def test_a_billion_layers_is_refused_at_the_range():
    e = refused(text(space="space global { layers = 1..1000000000 }"),
                "at most 1000, got 1..1000000000")
    assert (e.line, e.column) == (3, 25)


def test_a_repeat_of_10_to_the_26_is_refused_with_the_number():
    refused(text(top="repeat = 100000000000000000000000000\n"),
            r"`repeat` must be an integer in \[1, 1000000\], got 100000000000000000000000000")


def test_sweeps_that_multiply_past_the_limit_are_refused_before_expansion():
    values = ", ".join(str(v) for v in range(2, 102))  # 100 values
    rates = ", ".join(f"{r}.0" for r in range(1, 12))  # 11 values
    search = (f"search regularized_evolution {{ population in [{values}]; "
              f"sample in [{values}]; mutation = flip(rate in [{rates}]) }}")
    assert 100 * 100 * 11 > limits.MAX_CONFIGURATIONS
    e = refused(text(search=search), "the sweeps make 110,000 search configurations; nasdsl "
                                     "runs at most 100,000")
    assert e.line == 5


def test_runs_past_the_limit_are_refused_with_the_number():
    refused(text(space="space cell { vertices = 7; edges in [7, 8, 9] }",
                 top="repeat = 400000\n"),
            "the plan has 1,200,000 runs .3 configurations × repeat 400,000.; nasdsl runs at "
            "most 1,000,000")


def test_evaluations_past_the_limit_are_refused_with_the_number():
    source = text(top="repeat = 20\n").replace("budget = 10 evaluations",
                                               "budget = 1000000000 evaluations")
    refused(source, "asks for 20,000,000,000 evaluations; nasdsl runs at most 10,000,000,000")


def test_a_cell_space_too_large_to_count_says_so():
    with pytest.raises(NotImplementedError, match="at most 7 vertices"):
        CellSpace(vertices=8).size()
    plan = loads(text(space="space cell { vertices = 8 }"), "exp.nas")
    assert any("size not counted (exact sizes are counted for cells of at most 7 vertices"
               in line for line in plan_lines(plan))


def test_the_largest_global_space_is_counted_and_shown_rounded():
    space = "space global { layers = 1..1000; filters = [8, 16, 32, 64, 128]; skips = 100 }"
    plan = loads(text(space=space), "exp.nas")
    size_line = next(line for line in plan_lines(plan) if "space size" in line)
    n = GlobalSpace(layers=(1, 1000), filters=(8, 16, 32, 64, 128), skips=100).size()
    assert f"about {count_text(n)[6:]}" in size_line and "× 10^" in size_line
    assert int(math.log10(n)) == int(count_text(n).split("^")[1])


@pytest.mark.parametrize("n", [0, 999, 10 ** 15 - 1, 10 ** 15, 10 ** 16 + 1, 999 * 10 ** 40,
                               10 ** 3000])
def test_counts_are_written_exactly_or_rounded(n):
    shown = count_text(n)
    if n < 10 ** 15:
        assert shown == f"{n:,}"
    else:
        mantissa, exponent = shown.removeprefix("about ").split(" × 10^")
        assert 1 <= float(mantissa) < 10
        shown_value = Fraction(mantissa) * 10 ** int(exponent)
        assert abs(shown_value - n) <= Fraction(5, 100) * 10 ** int(exponent)


def _skip_sets_listed(depth: int, skips: int) -> int:
    pairs = [(i, j) for i, j in itertools.combinations(range(depth), 2) if j > i + 1]
    return sum(math.comb(len(pairs), s) for s in range(min(skips, len(pairs)) + 1))


@given(lo=st.integers(1, 8), extra=st.integers(0, 4), skips=st.integers(0, 6),
       filters=st.integers(1, 3))
def test_global_sizes_counted_without_listing_equal_the_listed_count(lo, extra, skips, filters):
    space = GlobalSpace(layers=(lo, lo + extra), filters=tuple(range(1, filters + 1)),
                        skips=skips)
    choices = filters + 1  # conv3x3 with each filter count, and maxpool2x2
    expected = sum(choices ** d * _skip_sets_listed(d, skips) for d in range(lo, lo + extra + 1))
    assert space.size() == expected
