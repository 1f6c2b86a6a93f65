"""Progress output: log lines when not on a terminal, nothing when quiet."""
from __future__ import annotations

import io

from nasdsl.progress import LogProgress, NullProgress, RichProgress, make_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_progress_writes_one_line_per_finished_run_and_periodic_lines():
    out = io.StringIO()
    p = LogProgress(out, every=0.0)
    p.begin("exp", runs=2, skipped=1, total=200.0)
    p.run_started("re#0", 100, "evaluations")
    p.update("re#0", 50, 50, 0.9)
    p.run_finished("re#0", 100, 0.93)
    p.end()
    lines = out.getvalue().splitlines()
    assert lines[0] == "exp: 2 runs to do, 1 already finished"
    assert lines[1].startswith("  0/2 runs finished, 50 evaluations")
    assert lines[2] == "  [1/2] re#0: 100 evaluations, best 0.9300"
    assert lines[3].startswith("done: 1 run, 100 evaluations")


def test_counts_of_one_are_singular():
    out = io.StringIO()
    p = LogProgress(out, every=0.0)
    p.begin("exp", runs=1, skipped=0, total=1.0)
    p.run_started("r#0", 1, "evaluations")
    p.run_finished("r#0", 1, 0.5)
    p.end()
    lines = out.getvalue().splitlines()
    assert lines[0] == "exp: 1 run to do"
    assert lines[1] == "  [1/1] r#0: 1 evaluation, best 0.5000"
    assert lines[2].startswith("done: 1 run, 1 evaluation in ")


def test_a_slow_rate_is_said_in_seconds_per_evaluation(monkeypatch):
    """Training takes seconds per evaluation: `(0/s)` says nothing, `(40 s per evaluation)`
    does."""
    import time

    from nasdsl.wording import rate

    assert rate(1, 42.0, "evaluation") == "42 s per evaluation"
    assert rate(4, 10.0, "evaluation") == "2.5 s per evaluation"
    assert rate(3_000, 2.0, "evaluation") == "1,500/s"
    assert rate(0, 5.0, "evaluation") == "-"
    out = io.StringIO()
    p = LogProgress(out, every=0.0)
    p.begin("exp", runs=1, skipped=0, total=None)
    p.run_started("keras#0", 3600, "seconds")
    clock = time.monotonic() + 84.0
    monkeypatch.setattr(time, "monotonic", lambda: clock)  # two evaluations in 84 s
    p.update("keras#0", 84.0, 2, 0.8)
    assert out.getvalue().splitlines()[1] == "  0/1 run finished, 2 evaluations (42 s per evaluation)"


def test_the_plan_of_one_run_says_run():
    from nasdsl.dsl import loads
    from nasdsl.cli.check import plan_lines

    plan = loads("budget = 1 evaluations\nspace cell { }\nevaluate nasbench101 { }\n"
                 "search random\n")
    lines = plan_lines(plan)
    assert "  search random: 1 configuration, 1 run" in lines
    assert lines[-1] == "  total: 1 run, 1 evaluation"


def test_make_progress_picks_by_terminal_and_quiet():
    assert isinstance(make_progress(quiet=True, stream=_Terminal()), NullProgress)
    assert isinstance(make_progress(stream=io.StringIO()), LogProgress)
    assert isinstance(make_progress(stream=_Terminal()), RichProgress)


def test_rich_progress_runs_through_a_whole_experiment():
    p = RichProgress()
    p.begin("exp", runs=1, skipped=0, total=10.0)
    p.run_started("r#0", 10, "evaluations")
    p.update("r#0", 5, 5, 0.5)
    p.run_finished("r#0", 10, 0.7)
    p.end()
    overall = p._bars.tasks[0]
    assert overall.completed == 10 and overall.fields["best"] == "0.7000"


def test_rich_overall_bar_counts_runs_that_finish_between_updates():
    """A fast run may finish before any periodic update: its evaluations still count."""
    p = RichProgress()
    p.begin("exp", runs=2, skipped=0, total=20.0)
    for run in ("a#0", "b#0"):
        p.run_started(run, 10, "evaluations")
        p.run_finished(run, 10, 0.5)
    p.end()
    assert p._bars.tasks[0].completed == 20
