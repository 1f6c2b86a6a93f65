"""Runs on Dask, with real clusters: a `distributed.LocalCluster` in this process (workers are
threads, reached over TCP as a remote scheduler is), and the local cluster of worker
processes that `run { workers = N }` starts for an expensive evaluator.

Where evaluations run is not part of what the journal identifies: the same file run in this
process, on a cluster (`--cluster`) or on local workers (`--workers`) journals the same rows
and resumes from either."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from cluster_toys import traced
from nasdsl.cli import main
from test_kill_resume import evaluation_rows

distributed = pytest.importorskip("distributed")
HERE = Path(__file__).resolve().parent

LOOKUPS = """\
experiment on_dask
seed = 3
repeat = 3
budget = 150 evaluations
space cell { vertices = 7; edges = 9 }
evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }
search random
search regularized_evolution { population = 20; sample = 5; mutation = flip(rate = 1.0) }
output = "out"
"""

TRAINING = """\
experiment train_on_dask
seed = 1
repeat = 2
budget = 12 evaluations
space cell { vertices = 5; edges = 6 }
evaluate "cluster_toys:Counted" { fail_on = "0123" }
search random
output = "out"
"""


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded workers in this process, behind a TCP scheduler."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  protocol="tcp", host="127.0.0.1", dashboard_address=":0") as c:
        yield c.scheduler_address


@pytest.fixture
def data(nb101_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NASDSL_DATA", str(nb101_store.parent))
    monkeypatch.syspath_prepend(str(HERE))
    return nb101_store


def _experiment(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "exp.nas").write_text(text)
    return folder / "exp.nas"


def _run(exp: Path, *args: str) -> int:
    """`nasdsl run` from the experiment's folder (its output is relative to it)."""
    old = Path.cwd()
    os.chdir(exp.parent)
    try:
        return main(["run", str(exp), "--quiet", *args])
    finally:
        os.chdir(old)


def test_lookups_on_a_cluster_journal_what_this_process_does(tmp_path, data, cluster, capsys):
    here = _experiment(tmp_path / "here", LOOKUPS)
    assert _run(here) == 0
    there = _experiment(tmp_path / "there", LOOKUPS)
    assert _run(there, "--cluster", cluster) == 0
    rows = evaluation_rows(there.parent / "out" / "journal.sqlite")
    assert len(rows) == 6 * 150
    assert rows == evaluation_rows(here.parent / "out" / "journal.sqlite")
    assert ((there.parent / "out" / "summary.csv").read_text()
            == (here.parent / "out" / "summary.csv").read_text())
    capsys.readouterr()
    # the journal's identity does not depend on where evaluations ran
    assert _run(there, "--workers", "2") == 0
    assert "6 runs already finished" in capsys.readouterr().out


@pytest.mark.slow
def test_a_run_stopped_here_resumes_on_a_cluster(tmp_path, data, cluster, capsys):
    """Half the runs in this process (`repeat` raised afterwards only adds runs), the rest
    on the cluster: the rows are those of one uninterrupted run."""
    whole = _experiment(tmp_path / "whole", LOOKUPS)
    assert _run(whole) == 0
    part = _experiment(tmp_path / "part", LOOKUPS.replace("repeat = 3", "repeat = 1"))
    assert _run(part) == 0
    part.write_text(LOOKUPS)
    capsys.readouterr()
    assert _run(part, "--cluster", cluster) == 0
    assert "2 runs already finished" in capsys.readouterr().out
    assert (evaluation_rows(part.parent / "out" / "journal.sqlite")
            == evaluation_rows(whole.parent / "out" / "journal.sqlite"))


def test_a_raising_evaluation_is_failed_with_the_workers_traceback(tmp_path, data, cluster):
    here = _experiment(tmp_path / "here", TRAINING)
    assert _run(here) == 0
    there = _experiment(tmp_path / "there", TRAINING)
    assert _run(there, "--cluster", cluster) == 0
    rows = evaluation_rows(there.parent / "out" / "journal.sqlite")
    assert len(rows) == 24
    failed = [r for r in rows if r[6] == "failed"]
    assert failed, "the toy evaluator fails one architecture in four"
    for r in failed:
        assert r[7].startswith("RuntimeError: cannot train ")
        assert "Traceback (most recent call last)" in r[7]
        assert "cluster_toys.py" in r[7] and "in evaluate" in r[7]
        assert "(on Dask worker tcp://127.0.0.1:" in r[7]
    mine = evaluation_rows(here.parent / "out" / "journal.sqlite")
    assert [r[:7] for r in rows] == [r[:7] for r in mine]  # same outcomes, other error text


def test_workers_spread_training_over_local_processes_built_once_each(tmp_path, data,
                                                                      monkeypatch):
    """`run { workers = 2 }` with an expensive evaluator: a local Dask cluster of two
    processes, each building the evaluator once, whatever the number of evaluations."""
    trace = tmp_path / "trace"
    trace.mkdir()
    monkeypatch.setenv("NASDSL_TEST_TRACE", str(trace))
    monkeypatch.setenv("NASDSL_TEST_SLEEP", "0.05")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH",
                                                                                  "")]))
    exp = _experiment(tmp_path / "pool", TRAINING + "run { workers = 2 }\n")
    assert _run(exp) == 0
    rows = evaluation_rows(exp.parent / "out" / "journal.sqlite")
    assert len(rows) == 24
    evaluated = traced(trace, "eval")
    assert len(evaluated) == 24 and os.getpid() not in evaluated
    built = traced(trace, "built")
    assert sorted(set(evaluated)) == sorted(p for p in set(built) if p != os.getpid())
    assert len(built) == len(set(built))  # once per process, not per evaluation
    assert len(set(evaluated)) <= 2

    one = _experiment(tmp_path / "one", TRAINING)
    monkeypatch.delenv("NASDSL_TEST_TRACE")
    assert _run(one) == 0
    assert [r[:7] for r in rows] == [r[:7] for r in
                                     evaluation_rows(one.parent / "out" / "journal.sqlite")]
