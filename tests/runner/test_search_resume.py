"""Local search and BANANAS keep memories and predictors in the run, not in the journal: a
`kill -9` and the same command again still end with the journal and summary of a run that
was never interrupted (the search replays its seed and is answered from the journal)."""
from __future__ import annotations

import pytest

import os
import subprocess
import sys
from pathlib import Path

from test_kill_resume import evaluation_rows, kill_when_journaled

EXPERIMENT = """\
experiment resume_searches
seed = 5
repeat = 1
budget = 200 evaluations
space cell { }
evaluate nasbench101 { fitness = test_accuracy; report = [test_accuracy] }
search bananas { batch = 5; retrain = 20 }
search local_search { initial = 5 }
output = "out"
"""


def _nasdsl(folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", "exp.nas", "--quiet"],
                          env=env, cwd=folder, capture_output=True, text=True, timeout=600)


# about 20 s; the runner's own kill tests cover the path by default
@pytest.mark.slow
def test_kill_9_then_rerun_gives_the_uninterrupted_journal_and_summary(tmp_path: Path,
                                                                        nb101_store: Path):
    env = {**os.environ, "NASDSL_DATA": str(nb101_store.parent)}
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    for folder in (whole, killed):
        folder.mkdir()
        (folder / "exp.nas").write_text(EXPERIMENT)
    done = _nasdsl(whole, env)
    assert done.returncode == 0, done.stderr
    reference = evaluation_rows(whole / "out" / "journal.sqlite")
    assert len(reference) == 400

    command = [sys.executable, "-m", "nasdsl.cli", "run", "exp.nas", "--quiet"]
    journal = killed / "out" / "journal.sqlite"
    kill_when_journaled(command, journal, env, cwd=killed)
    partial = evaluation_rows(journal)
    assert 0 < len(partial) < len(reference) and set(partial) <= set(reference)

    again = _nasdsl(killed, env)
    assert again.returncode == 0, again.stderr
    assert evaluation_rows(journal) == reference
    assert (killed / "out" / "summary.csv").read_text() == \
        (whole / "out" / "summary.csv").read_text()
