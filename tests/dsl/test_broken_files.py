"""Every file of the broken corpus is refused with the exact location and message it states.

Each `broken/*.nas` starts with `# expect LINE:COLUMN MESSAGE`: the DslError must point at
that line and column and its message must contain MESSAGE.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nasdsl.dsl import load
from nasdsl.errors import DslError

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.nas"))
_HEADER = re.compile(r"# expect (\d+):(\d+) (.+)")


def _expectation(path: Path) -> tuple[int, int, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _HEADER.fullmatch(first)
    assert match, f"{path.name}: first line must be '# expect LINE:COLUMN MESSAGE'"
    return int(match.group(1)), int(match.group(2)), match.group(3)


def test_corpus_is_large_enough():
    assert len(BROKEN) >= 40


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_file_is_refused_at_the_stated_place(path: Path):
    line, column, message = _expectation(path)
    with pytest.raises(DslError) as info:
        load(path)
    error = info.value
    assert (error.line, error.column) == (line, column), str(error)
    assert message in error.message, str(error)
    assert error.file == str(path)
    rendered = str(error)
    assert f"{path}:{line}:{column}: error:" in rendered
    if error.source_line:
        caret_line = rendered.splitlines()[2]
        assert caret_line.index("^") == 4 + column - 1
