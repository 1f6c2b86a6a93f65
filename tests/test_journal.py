"""The journal: its read API (what reports rely on), transactions, and write failures."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from nasdsl.errors import JournalError
from nasdsl.journal import Journal
from nasdsl.journal.values import metrics_json
from nasdsl.plan import Budget, Call, EvaluatorSpec, SearchConfig, SpaceSpec

SPACE = SpaceSpec("cell", {"vertices": 7, "edges": 9, "ops": ["conv1x1", "conv3x3"]})
EVALUATOR = EvaluatorSpec("nasbench101", {"fitness": "test_accuracy", "report": ["test_accuracy"]})


def _config(label: str, swept: dict, index: int = 0) -> SearchConfig:
    return SearchConfig(label=label, algorithm="regularized_evolution",
                        settings={"population": 10, "sample": 2,
                                  "mutation": Call("grow", {"add_node": 0.1})},
                        swept=swept, budget=Budget(100, "evaluations"), space=SPACE,
                        evaluator=EVALUATOR, index=index)


def _row(run: str, idx: int, fitness: float | None = 0.5, metrics: dict | None = None) -> tuple:
    return (run, idx, idx // 10, f"arch{idx}", f"h{idx}", fitness, "ok" if fitness else "failed",
            None if fitness else "broke", 1.5, 0.001, metrics_json(metrics or {"acc": fitness}))


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A journal with two configurations (the second listed first in plan order)."""
    path = tmp_path / "out" / "journal.sqlite"
    a = _config("re", {"population": 10, "mutation.add_node": 0.1})
    b = _config("re", {"population": 20, "mutation.add_node": 0.2}, index=1)
    with Journal.open(path, readonly=False) as j:
        j.write_meta({"format_version": "1", "experiment": "x", "seed": 3, "created": "then"})
        j.write_meta({"created": "now", "repeat": 2})
        j.write_configs([b, a])
        j.start_run("a/1", a.key, 1, 4)
        j.start_run("a/0", a.key, 0, 3)
        j.start_run("b/0", b.key, 0, 3)
        j.append([_row("a/1", i) for i in range(3)] + [_row("a/0", i, 0.1 * i) for i in range(2)])
        j.append([_row("b/0", 0, None)], finished=("b/0", 1))
    return path


def test_read_api_columns_order_and_types(filled: Path):
    with Journal.open(filled) as j:
        meta = j.meta()
        assert meta["seed"] == "3" and meta["created"] == "then" and meta["repeat"] == "2"
        configs = j.configs()
        assert list(configs.columns) == ["config", "position", "search", "algorithm", "settings",
                                         "swept", "budget", "space", "evaluator", "fingerprint"]
        assert configs["swept"][0] == {"population": 20, "mutation.add_node": 0.2}
        assert configs["settings"][0]["mutation"] == {"call": "grow", "args": {"add_node": 0.1}}
        assert configs["space"][0] == {"kind": "cell", "settings": dict(SPACE.settings)}
        runs = j.runs()
        assert list(runs.columns) == ["run", "config", "repeat", "seed", "status", "evaluations"]
        assert runs.set_index("run").loc["b/0", "status"] == "finished"
        assert runs.set_index("run").loc["a/1", "evaluations"] == 3
        ev = j.evaluations()
    assert list(ev.columns) == [
        "search", "config", "run", "seed", "index", "generation", "architecture", "hash",
        "fitness", "status", "error", "cost_seconds", "wall_seconds", "acc", "population",
        "mutation.add_node"]
    # sorted by configuration position (b first), run, index
    assert list(zip(ev["population"], ev["run"], ev["index"])) == [
        (20, 0, 0), (10, 0, 0), (10, 0, 1), (10, 1, 0), (10, 1, 1), (10, 1, 2)]
    assert ev["fitness"].isna().tolist() == [True, False, False, False, False, False]
    assert ev.loc[0, "error"] == "broke" and ev.loc[0, "status"] == "failed"
    assert ev["seed"].tolist() == [3, 3, 3, 4, 4, 4]


def test_readonly_journal_refuses_writes_and_a_missing_one(filled: Path, tmp_path: Path):
    with Journal.open(filled) as j:  # a reader has no way to write
        assert not any(hasattr(j, w) for w in ("append", "write_meta", "start_run",
                                               "record_final", "_transaction"))
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            j._db.execute("DELETE FROM meta")  # and its connection is read-only underneath
    with pytest.raises(JournalError, match="no journal"):
        Journal.open(tmp_path / "nothing.sqlite")


def test_reader_sees_committed_rows_while_a_writer_is_open(tmp_path: Path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, readonly=False) as writer:
        writer.write_configs([_config("re", {})])
        writer.start_run("r/0", "re", 0, 0)
        writer.append([_row("r/0", i) for i in range(5)])
        with Journal.open(path) as reader:
            assert len(reader.evaluations()) == 5
            assert reader.runs()["status"].tolist() == ["running"]


def test_duplicate_rows_roll_back_the_whole_transaction(filled: Path):
    with Journal.open(filled, readonly=False) as j:
        with pytest.raises(JournalError, match="cannot write the journal"):
            j.append([_row("a/0", 2), _row("a/0", 1)])  # index 1 is already there
        assert [r.index for r in j.recorded("a/0")] == [0, 1]


def test_recorded_replays_results_exactly(filled: Path):
    with Journal.open(filled, readonly=False) as j:
        rec = j.recorded("a/0")
    assert [r.hash for r in rec] == ["h0", "h1"]
    assert rec[1].result.fitness == 0.1 and rec[1].result.metrics == {"acc": 0.1}
    assert rec[1].result.cost_seconds == 1.5


def test_unwritable_location_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where the output folder should be")
    with pytest.raises(JournalError, match="cannot create the journal .*results/out"):
        Journal.open(blocker / "out" / "journal.sqlite", readonly=False)


def test_full_disk_stops_with_a_clear_message_and_keeps_committed_rows(tmp_path: Path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, readonly=False, max_bytes=64 * 1024) as j:
        j.write_configs([_config("re", {})])
        j.start_run("r/0", "re", 0, 0)
        j.append([_row("r/0", i) for i in range(10)])
        big = {"blob": "x" * 2000}
        with pytest.raises(JournalError) as failure:
            for chunk in range(100):
                j.append([_row("r/0", 10 + chunk * 10 + i, 0.5, big) for i in range(10)])
    assert "full" in str(failure.value)
    assert "holds every evaluation committed before this error" in str(failure.value)
    with Journal.open(path) as j:
        n = len(j.evaluations())
    assert n >= 10 and (n - 10) % 10 == 0  # whole transactions only
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [i for (i,) in db.execute("SELECT idx FROM evaluations ORDER BY idx")] == list(range(n))


def test_discard_removes_the_journal_and_its_side_files(filled: Path):
    Journal.discard(filled)
    assert not filled.exists()
    assert not filled.with_name(filled.name + "-wal").exists()


def test_metrics_json_turns_numpy_scalars_into_numbers():
    import numpy as np

    text = metrics_json({"a": np.float32(0.5), "b": np.int64(3)})
    assert json.loads(text) == {"a": 0.5, "b": 3}


def _side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_a_closed_journal_leaves_no_side_files_even_after_a_reader(filled: Path):
    assert _side_files(filled) == []
    with Journal.open(filled) as reader:  # a report reads it afterwards
        assert len(reader.evaluations()) == 6
    assert _side_files(filled) == []
    with Journal.open(filled, readonly=False) as writer:  # writing again: WAL while open
        assert writer._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        writer.append([_row("a/1", 3)])
    assert _side_files(filled) == []
