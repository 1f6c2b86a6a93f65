"""`asynchronous = true` through the language, evaluated in this process: one completion at a
time, in submission order, so the run is reproducible for its seed and is exactly the
sequential search; the setting is checked like any other and, left out, changes no journal's
identity."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nasdsl.dsl import loads
from nasdsl.errors import DslError
from nasdsl.runner import run_plan

TEXT = """\
experiment in_order
seed = 4
repeat = 2
budget = 120 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ fitness = test_accuracy }}
search regularized_evolution as asynchronous {{ population = 20; sample = 5; asynchronous = true }}
search regularized_evolution as sequential {{ population = 20; sample = 5 }}
output = "{out}"
"""


def _rows(journal: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(journal)
    rows = db.execute("SELECT c.search, r.repeat, e.idx, e.generation, e.hash, e.fitness "
                      "FROM evaluations e JOIN runs r ON r.run = e.run "
                      "JOIN configs c ON c.config = r.config ORDER BY r.repeat, e.idx").fetchall()
    columns = {r[1] for r in db.execute("PRAGMA table_info(evaluations)")}
    db.close()
    assert "arrival" not in columns  # everything arrived in index order
    out: dict[str, list[tuple]] = {}
    for search, *rest in rows:
        out.setdefault(search, []).append(tuple(rest))
    return out


def test_in_this_process_it_is_reproducible_and_the_sequential_search(tmp_path, nb101_store,
                                                                      monkeypatch):
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    journals = []
    for name in ("one", "two"):
        plan = loads(TEXT.format(out=tmp_path / name))
        summary = run_plan(plan)
        assert summary.evaluations == 480
        journals.append(_rows(tmp_path / name / "journal.sqlite"))
    first, second = journals
    assert first == second
    assert first["asynchronous"] == first["sequential"]


def test_the_setting_is_checked_and_left_out_when_not_written():
    plan = loads(TEXT.format(out="out"))
    assert plan.configs[0].settings["asynchronous"] is True
    assert "asynchronous" not in plan.configs[1].settings  # journals written before it match
    with pytest.raises(DslError, match="asynchronous"):
        loads(TEXT.format(out="out").replace("asynchronous = true", "asynchronous = 1"))


def test_a_journal_gains_the_arrival_column_only_with_a_row_out_of_order(tmp_path):
    """Runs that completed in index order leave the journal as older nasdsl wrote it; the
    first completion out of order adds the column, and replay reads both orders."""
    from nasdsl.journal import Journal
    from nasdsl.journal.records import Row

    def row(run, index, arrival=None):
        return Row(run, index, 0, f"a{index}", f"h{index}", 0.5, "ok", None, 1.0, 0.1, "{}",
                   arrival)

    path = tmp_path / "journal.sqlite"
    with Journal.open(path, readonly=False) as journal:
        journal.start_run("in_order", "c", 0, 0)
        journal.append([row("in_order", i) for i in range(3)])
        assert not journal._has_arrival_column()
        assert [r.index for r in journal.recorded("in_order")] == [0, 1, 2]
        journal.start_run("async", "c", 1, 1)
        journal.append([row("async", 0), row("async", 2, 1), row("async", 1, 2)])
        journal.append([row("in_order", 3), (*row("in_order", 4)[:11],)])
        assert [r.index for r in journal.recorded("async")] == [0, 2, 1]
        assert [r.index for r in journal.recorded("in_order")] == [0, 1, 2, 3, 4]
        assert journal.run_states()["async"].evaluations == 3
    db = sqlite3.connect(path)
    assert db.execute("SELECT evaluations FROM runs WHERE run = 'async'").fetchone() == (3,)
    db.close()
