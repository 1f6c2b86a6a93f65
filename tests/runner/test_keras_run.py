"""Real Keras searches through the language, on a tiny slice of Fashion-MNIST: journaled,
repeats answered from the run's results, `final` retrained and reported; after `kill -9`
(in the search, then in the final retraining) nothing finished is trained again."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("keras")

from keras_runs import experiment, tiny_fashion  # noqa: E402

from nasdsl.dsl import loads  # noqa: E402
from nasdsl.experiment import run_experiment  # noqa: E402


def test_a_search_journals_answers_repeats_from_the_run_and_retrains_the_best(
        tmp_path, fashion_mnist_dir):
    data = tiny_fashion(tmp_path, fashion_mnist_dir)
    out = tmp_path / "out"
    plan = loads(experiment(out, data, budget=5))  # the space holds two architectures
    summary = run_experiment(plan)
    assert summary.evaluations == 5 and summary.retrained == 2
    db = sqlite3.connect(out / "journal.sqlite")
    rows = db.execute("SELECT idx, hash, status, wall_seconds, metrics FROM evaluations "
                      "ORDER BY idx").fetchall()
    trained = [r for r in rows if "repeat_of" not in json.loads(r[4])]
    assert len(rows) == 5 and len(trained) == len({r[1] for r in rows}) <= 2
    for idx, h, status, wall, metrics in rows:
        m = json.loads(metrics)
        if "repeat_of" in m:
            first = rows[m["repeat_of"]]
            assert first[1] == h and wall == 0 and m["validation_loss"] == \
                json.loads(first[4])["validation_loss"]
    final = pd.read_csv(out / "final.csv")
    assert list(final["rank"]) == [1, 2] and (final["status"] == "ok").all()
    assert final["test_accuracy"].between(0, 1).all() and final["epochs"].eq(1).all()
    assert all(Path(p).is_file() for p in final["model"])
    best = json.loads((out / "best.json").read_text())["configs"][0]
    assert [e["rank"] for e in best["final"]] == [1, 2]
    summary_csv = pd.read_csv(out / "summary.csv")
    assert summary_csv.loc[0, "final_test_accuracy"] == final.loc[0, "test_accuracy"]
    again = run_experiment(plan)  # everything done: nothing trained again
    assert again.evaluations == 0 and again.skipped == 1 and again.retrained == 0


def _rows(journal: Path, table: str) -> list[tuple]:
    try:
        db = sqlite3.connect(f"{journal.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            if table == "finals":
                return db.execute("SELECT config, hash, wall_seconds, model FROM finals "
                                  "ORDER BY rank").fetchall()
            return db.execute("SELECT idx, hash, fitness, wall_seconds, metrics FROM "
                              "evaluations ORDER BY idx").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return []


def _run_until(command: list[str], journal: Path, table: str, rows: int, env: dict,
               cwd: Path, timeout: float = 600) -> list[tuple]:
    """Start the run, SIGKILL it once `table` holds `rows` rows; what it held then."""
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while len(_rows(journal, table)) < rows:
            if proc.poll() is not None:
                raise AssertionError(f"the run ended before the kill: {proc.stderr.read()}")
            if time.monotonic() > deadline:
                raise AssertionError("the run wrote too little in time")
            time.sleep(0.2)
        held = _rows(journal, table)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return held
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_during_training_then_the_rerun_trains_no_finished_candidate_again(
        tmp_path, fashion_mnist_dir):
    data = tiny_fashion(tmp_path, fashion_mnist_dir)
    nas = tmp_path / "exp.nas"
    nas.write_text(experiment(tmp_path / "out", data, budget=6, filters="[4, 8, 16]",
                              layers="1..3", final=""))
    journal = tmp_path / "out" / "journal.sqlite"
    command = [sys.executable, "-m", "nasdsl.cli", "run", str(nas)]
    before = _run_until(command, journal, "evaluations", 1, dict(os.environ), tmp_path)
    assert len(before) < 6, "the run finished before it was killed"
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                              timeout=1200)
    assert finished.returncode == 0, finished.stderr
    after = _rows(journal, "evaluations")
    assert after[:len(before)] == before  # the same rows, wall times included: replayed
    assert len(after) == 6
    assert f"{6 - len(before)} evaluations, {len(before)} replayed" in finished.stdout


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_9_during_final_then_the_rerun_retrains_only_the_unfinished(
        tmp_path, fashion_mnist_dir):
    data = tiny_fashion(tmp_path, fashion_mnist_dir)
    nas = tmp_path / "exp.nas"
    nas.write_text(experiment(tmp_path / "out", data, budget=3, filters="[4, 8, 16]",
                              layers="1..2", final="final { top = 3; epochs = 1 }"))
    journal = tmp_path / "out" / "journal.sqlite"
    command = [sys.executable, "-m", "nasdsl.cli", "run", str(nas)]
    held = _run_until(command, journal, "finals", 1, dict(os.environ), tmp_path)
    model = Path(held[0][3])
    stamp = model.stat().st_mtime_ns
    rerun = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert rerun.returncode == 0, rerun.stderr
    finals = _rows(journal, "finals")
    assert finals[0] == held[0] and model.stat().st_mtime_ns == stamp
    distinct = {r[1] for r in _rows(journal, "evaluations")}
    assert {r[1] for r in finals} == distinct or len(finals) == 3
    assert "0 evaluations" in rerun.stdout
    retrained = len(finals) - len(held)
    assert f"{retrained} architecture{'s' if retrained != 1 else ''} retrained by `final`" \
        in rerun.stdout
