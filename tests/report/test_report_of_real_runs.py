"""Reports of journals the runner wrote: a finished experiment, and one still running."""
from __future__ import annotations

import json
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import numpy as np
import pandas as pd
import pytest

from nasdsl.journal import Journal

from nasdsl.journal.values import metrics_json
from nasdsl.report import write_report
from nasdsl.report.tables import print_summary

from journal_fixtures import RANDOM, write_journal

EXPERIMENT = """experiment tiny
seed = 0
repeat = 2
budget = 60 evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ data = "{data}"; fitness = test_accuracy; report = [trainable_parameters] }}
search regularized_evolution {{ population = 20; sample = 5; mutation = flip }}
search random
output = "{output}"
"""


def test_report_of_a_run_experiment_matches_its_journal(tmp_path, nb101_store):
    nas = tmp_path / "tiny.nas"
    nas.write_text(EXPERIMENT.format(data=nb101_store, output=tmp_path / "out"))
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(nas), "--quiet"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    summary = pd.read_csv(out / "summary.csv").set_index("config")
    evaluations = pd.read_csv(out / "evaluations.csv")
    assert len(evaluations) == 2 * 2 * 60
    assert list(summary.index) == ["regularized_evolution", "random"]
    for config, rows in evaluations.groupby("config"):
        best_per_run = rows.groupby("run")["fitness"].max()
        assert summary.loc[config, "mean_of_highest"] == pytest.approx(best_per_run.mean())
        assert summary.loc[config, "highest"] == pytest.approx(best_per_run.max())
        assert summary.loc[config, "runs"] == 2
    re_generations = evaluations[evaluations["config"] == "regularized_evolution"]["generation"]
    assert sorted(re_generations.unique()) == [0, 1, 2]
    assert summary["regret"].between(0, 0.1).all()  # against the table's optimum
    assert summary["found_best"].tolist() == [0.0, 0.0]  # 60 evaluations of 423,624 cells
    best = json.loads((out / "best.json").read_text())
    assert all("nasbench101" in run for c in best["configs"] for run in c["runs"])


def test_a_running_experiment_reports_what_is_committed(tmp_path):
    path = write_journal(tmp_path / "journal.sqlite")
    with Journal.open(path, readonly=False) as journal:  # a second random run, still going
        run = f"{RANDOM.key}#1"
        journal.start_run(run, RANDOM.key, 1, 1)
        journal.append([(run, 0, 0, "a", "ha", 0.95, "ok", None, 1.0, 0.1,
                         metrics_json({"test_accuracy": 0.5}))])
        write_report(tmp_path)  # while the writer holds the journal open
    summary = pd.read_csv(tmp_path / "summary.csv").set_index("config")
    assert summary.loc["random", "runs"] == 2
    assert summary.loc["random", "mean_of_highest"] == pytest.approx((0.9 + 0.95) / 2)


def _on_terminal(summary: pd.DataFrame, columns: int) -> str:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    with os.fdopen(follower, "w") as terminal:
        print_summary(summary, "handmade", out=terminal)
    chunks = []
    while True:  # one read may return only part of what was written: read to the end
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode()


def test_summary_on_a_wide_terminal_is_a_rich_table(tmp_path):
    write_journal(tmp_path / "journal.sqlite")
    write_report(tmp_path)
    text = _on_terminal(pd.read_csv(tmp_path / "summary.csv"), 200)
    assert "handmade" in text and "mean of highest" in text
    assert "regularized_evolution[population=2]" in text  # brackets are not rich markup
    assert "─" in text  # drawn by rich, not the plain layout


def test_summary_on_a_narrow_terminal_drops_nothing(tmp_path):
    write_journal(tmp_path / "journal.sqlite")
    write_report(tmp_path)
    text = _on_terminal(pd.read_csv(tmp_path / "summary.csv"), 60)
    assert "regularized_evolution[population=2]" in text and "regret" in text


def test_regret_comes_from_the_journal_when_the_store_is_gone(tmp_path, nb101_store):
    nas = tmp_path / "tiny.nas"
    nas.write_text(EXPERIMENT.format(data=nb101_store, output=tmp_path / "out")
                   .replace(f'data = "{nb101_store}"; ', ""))
    run_env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(nas), "--quiet"],
                          capture_output=True, text=True, timeout=300, env=run_env)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    before = pd.read_csv(out / "summary.csv")["regret"]
    assert before.between(0, 0.1).all()
    (out / "summary.csv").unlink()
    no_store = {**os.environ, "NASDSL_DATA": str(tmp_path / "empty")}
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "report", str(out)],
                          capture_output=True, text=True, timeout=300, env=no_store)
    assert done.returncode == 0, done.stderr
    assert pd.read_csv(out / "summary.csv")["regret"].tolist() == before.tolist()


CHAIN = """experiment chains
seed = 0
repeat = 2
budget = 600 evaluations
space cell {{ vertices = 7; edges = 9; topology = chain }}
evaluate nasbench101 {{ data = "{data}"; fitness = test_accuracy; report = [test_accuracy] }}
search random
output = "{output}"
"""


def _chain_best(store_folder) -> float:
    """The best test accuracy among the 363 chains, found by building every chain."""
    import itertools

    from nasdsl.spaces import CellSpace
    from nasdsl.spaces.cell import Cell
    from nasdsl.store.nasbench101 import NASBench101Store

    store = NASBench101Store.open(store_folder)
    space = CellSpace(topology="chain")
    keys = []
    for k in range(1, 6):
        for ops in itertools.product(["conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3"],
                                     repeat=k):
            n = k + 2
            matrix = [[1 if j == i + 1 else 0 for j in range(n)] for i in range(n)]
            keys.append(space.key(Cell.from_nasbench(matrix, ["input", *ops, "output"])))
    assert len(set(keys)) == 363 == space.size()
    rows = store.rows(keys)
    assert (rows >= 0).all()
    return float(store.array("test_accuracy")[rows, store.epochs.index(108), 0].max())


def test_regret_is_measured_against_the_declared_spaces_best(tmp_path, nb101_store):
    """A chain-space search that finds the best chain has regret 0, though better cells exist
    outside the space."""
    nas = tmp_path / "chains.nas"
    nas.write_text(CHAIN.format(data=nb101_store, output=tmp_path / "out"))
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(nas)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    row = pd.read_csv(tmp_path / "out" / "summary.csv").iloc[0]
    best = _chain_best(nb101_store)
    assert row["space_best_test_accuracy"] == pytest.approx(best)
    assert row["best_test_accuracy"] == pytest.approx(best)  # 600 draws of 363 chains
    assert row["regret"] == 0
    assert row["found_best"] == 1.0  # both runs found the best chain
    assert "regret: the best test_accuracy of the declared search space" in done.stdout
    from PIL import Image

    with Image.open(tmp_path / "out" / "regret.png") as image:
        assert "test_accuracy" in dict(image.text)["y axis"]
        pixels = np.asarray(image.convert("L"))
    assert (pixels < 250).mean() > 0.02  # a curve and its band are drawn, not only the frame
