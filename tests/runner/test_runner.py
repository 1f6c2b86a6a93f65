"""The runner: every run journaled, budgets exact, resume by replay, refusals."""
from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

import runner_toys as toys
from nasdsl.errors import DataError, JournalError
from nasdsl.journal import Journal
from nasdsl.journal.rows import HASHED, row_checksums
from nasdsl.plan import Budget
from nasdsl.runner import Components, run_plan


def _rows(output: Path) -> list[tuple]:
    """Every evaluation row except its wall time, in (run, index) order."""
    db = sqlite3.connect(output / "journal.sqlite")
    rows = db.execute("SELECT run, idx, generation, architecture, hash, fitness, status, error, "
                      "cost_seconds, metrics FROM evaluations ORDER BY run, idx").fetchall()
    db.close()
    return rows


def _run(output: Path, **kwargs) -> object:
    plan = kwargs.pop("plan", None) or toys.plan(output)
    return run_plan(plan, components=kwargs.pop("components", toys.TOYS), **kwargs)


def _evaluator_calls() -> int:
    return sum(e.calls for e in toys.EVALUATORS.values())


@pytest.fixture(autouse=True)
def _fresh_evaluators():
    from nasdsl import execution

    execution.evaluator_for.cache_clear()
    toys.EVALUATORS.clear()


def test_every_run_is_journaled_with_contiguous_indices(tmp_path: Path):
    summary = _run(tmp_path)
    assert summary.runs == 4 and summary.evaluations == 800
    with Journal.open(tmp_path / "journal.sqlite") as j:
        runs = j.runs()
        ev = j.evaluations()
    assert runs["status"].tolist() == ["finished"] * 4
    assert runs["seed"].tolist() == [0, 1, 0, 1]
    for (config, run), group in ev.groupby(["config", "run"]):
        assert group["index"].tolist() == list(range(200))
    assert _evaluator_calls() == 800


def test_same_seed_same_rows_and_seeds_differ_between_repeats(tmp_path: Path):
    _run(tmp_path / "a")
    _run(tmp_path / "b")
    a = _rows(tmp_path / "a")
    assert a == _rows(tmp_path / "b")
    by_run: dict[str, list] = {}
    for row in a:
        by_run.setdefault(row[0], []).append(row[3])
    runs = sorted(by_run)
    assert by_run[runs[0]] != by_run[runs[1]]


def test_rerun_skips_finished_runs_without_evaluating(tmp_path: Path):
    _run(tmp_path)
    before = _rows(tmp_path)
    calls = _evaluator_calls()
    summary = _run(tmp_path)
    assert summary.skipped == 4 and summary.runs == 0
    assert _evaluator_calls() == calls
    assert _rows(tmp_path) == before


def _cut(output: Path, keep: int, repeat: int = 1) -> str:
    """Make the journal look killed mid-run: one run keeps `keep` rows and is `running`."""
    db = sqlite3.connect(output / "journal.sqlite")
    run = db.execute("SELECT r.run FROM runs r JOIN configs c ON c.config = r.config "
                     "WHERE c.search = 're' AND r.repeat = ?", (repeat,)).fetchone()[0]
    db.execute("DELETE FROM evaluations WHERE run = ? AND idx >= ?", (run, keep))
    db.execute("UPDATE runs SET status = 'running', evaluations = ? WHERE run = ?", (keep, run))
    db.execute("DELETE FROM runs WHERE run NOT IN (SELECT run FROM evaluations)")
    db.commit()
    db.close()
    return run


@pytest.mark.parametrize("workers", [1, 2])
def test_resume_replays_the_recorded_prefix_without_evaluating(tmp_path: Path, workers: int):
    plan = toys.plan(tmp_path, workers=workers)
    _run(tmp_path, plan=plan)
    uninterrupted = _rows(tmp_path)
    _cut(tmp_path, keep=57)
    toys.EVALUATORS.clear()
    from nasdsl import execution

    execution.evaluator_for.cache_clear()
    summary = _run(tmp_path, plan=plan)
    assert summary.replayed == 57 and summary.evaluations == 200 - 57
    assert summary.skipped == 3
    if workers == 1:  # the evaluator lives in this process: count what it was asked
        assert _evaluator_calls() == 200 - 57
    assert _rows(tmp_path) == uninterrupted


def test_diverged_run_is_refused_naming_run_and_index(tmp_path: Path):
    _run(tmp_path)
    run = _cut(tmp_path, keep=40)
    db = sqlite3.connect(tmp_path / "journal.sqlite")
    db.execute("UPDATE evaluations SET hash = 'someone else' WHERE run = ? AND idx = 31", (run,))
    # written so (with its checksum) by a search that went another way, not damaged
    row = db.execute(f"SELECT {', '.join(HASHED[:-1])} FROM evaluations WHERE run = ? AND "
                     "idx = 31", (run,)).fetchone()
    db.execute("UPDATE evaluations SET checksum = ? WHERE run = ? AND idx = 31",
               (row_checksums([row])[0], run))
    db.commit()
    db.close()
    with pytest.raises(JournalError, match=r"run re#1 diverged .* at evaluation 31"):
        _run(tmp_path)


def test_changed_configuration_is_refused_unless_fresh(tmp_path: Path):
    _run(tmp_path)
    plan = toys.plan(tmp_path)
    re = replace(plan.configs[1], settings={"population": 20, "sample": 6})
    changed = replace(plan, configs=(plan.configs[0], re))
    with pytest.raises(JournalError, match=r"search configuration re changed \(settings\)"):
        _run(tmp_path, plan=changed)
    summary = _run(tmp_path, plan=changed, fresh=True)
    assert summary.runs == 4 and summary.skipped == 0
    with Journal.open(tmp_path / "journal.sqlite") as j:
        assert j.configs().set_index("config").loc["re", "settings"]["sample"] == 6
        assert len(j.evaluations()) == 800


def test_changed_seed_is_refused(tmp_path: Path):
    _run(tmp_path)
    with pytest.raises(JournalError, match="seed changed"):
        _run(tmp_path, plan=toys.plan(tmp_path, seed=5))


def test_new_search_and_more_repeats_only_add_runs(tmp_path: Path):
    _run(tmp_path)
    before = _rows(tmp_path)
    calls = _evaluator_calls()
    more = toys.plan(tmp_path, repeat=3, configs=[
        toys.config(), toys.config("re", "regularized_evolution",
                                   settings={"population": 20, "sample": 5}),
        toys.config("re2", "regularized_evolution", settings={"population": 10, "sample": 2})])
    summary = _run(tmp_path, plan=more)
    assert summary.skipped == 4 and summary.runs == 5
    assert _evaluator_calls() - calls == 5 * 200
    after = _rows(tmp_path)
    assert set(before) <= set(after) and len(after) == 9 * 200


@pytest.mark.parametrize("amount", [1, 19, 20, 21, 95])
def test_evaluation_budget_is_exact(tmp_path: Path, amount: int):
    configs = [toys.config(budget=Budget(amount, "evaluations")),
               toys.config("re", "regularized_evolution", budget=Budget(amount, "evaluations"),
                           settings={"population": 20, "sample": 5})]
    _run(tmp_path, plan=toys.plan(tmp_path, configs=configs, repeat=1))
    with Journal.open(tmp_path / "journal.sqlite") as j:
        assert j.evaluations().groupby("search").size().to_dict() == {"random": amount,
                                                                      "re": amount}
        assert j.runs()["evaluations"].tolist() == [amount, amount]


def test_time_budget_stops_after_the_evaluation_that_crosses_it(tmp_path: Path):
    budget = Budget(3000, "seconds")  # each evaluation costs 10 s per one bit: ~80 s
    configs = [toys.config(budget=budget),
               toys.config("re", "regularized_evolution", budget=budget,
                           settings={"population": 10, "sample": 3})]
    plan = toys.plan(tmp_path, configs=configs, repeat=1)
    _run(tmp_path, plan=plan)
    with Journal.open(tmp_path / "journal.sqlite") as j:
        ev = j.evaluations()
    for _, group in ev.groupby("search"):
        costs = group["cost_seconds"].tolist()
        assert sum(costs[:-1]) < 3000 <= sum(costs)
    first = _rows(tmp_path)
    _cut(tmp_path, keep=len(ev[ev["search"] == "re"]) // 2, repeat=0)
    _run(tmp_path, plan=plan)
    assert _rows(tmp_path) == first


def test_data_problems_refuse_the_plan_before_anything_is_written(tmp_path: Path):
    components = Components(make_space=toys.make_space, make_evaluator=toys.make_evaluator,
                            data_problems=toys.missing_metric)
    with pytest.raises(DataError, match="holds no validation_accuracy"):
        _run(tmp_path / "out", components=components)
    assert not (tmp_path / "out").exists()
    assert _evaluator_calls() == 0


def test_a_failing_evaluation_is_recorded_and_the_search_goes_on(tmp_path: Path):
    configs = [toys.config(evaluator={"fail_on": "1"})]
    _run(tmp_path, plan=toys.plan(tmp_path, configs=configs, repeat=1))
    with Journal.open(tmp_path / "journal.sqlite") as j:
        ev = j.evaluations()
    failed = ev[ev["architecture"].str.startswith("1")]
    assert len(ev) == 200 and len(failed) > 0
    assert set(failed["status"]) == {"failed"} and failed["fitness"].isna().all()
    assert failed["error"].str.contains("cannot train").all()


def test_workers_write_the_same_rows_as_one_process(tmp_path: Path):
    _run(tmp_path / "one")
    _run(tmp_path / "two", plan=toys.plan(tmp_path / "two", workers=2))
    assert _rows(tmp_path / "one") == _rows(tmp_path / "two")


def test_expensive_evaluations_in_a_process_pool_match_in_process(tmp_path: Path):
    configs = [toys.config(evaluator={"expensive": True}, budget=Budget(40, "evaluations"))]
    _run(tmp_path / "one", plan=toys.plan(tmp_path / "one", configs=configs, repeat=1))
    _run(tmp_path / "pool", plan=toys.plan(tmp_path / "pool", configs=configs, repeat=1,
                                           workers=2))
    assert _rows(tmp_path / "one") == _rows(tmp_path / "pool")


def test_unwritable_output_stops_with_a_clear_message(tmp_path: Path):
    (tmp_path / "blocked").write_text("not a folder")
    with pytest.raises(JournalError, match="cannot create the journal"):
        _run(tmp_path / "blocked" / "out")
