"""The runner: every run of a plan, journaled, resumable by replay (see `plan_run`)."""
from __future__ import annotations

from nasdsl.runner.checks import check_plan, plan_problems
from nasdsl.runner.components import Components
from nasdsl.runner.plan_run import Reports, RunSummary, run_plan
from nasdsl.runner.task import RunTask, perform_run, run_id

__all__ = ["Components", "Reports", "RunSummary", "RunTask", "check_plan", "perform_run",
           "plan_problems", "run_id", "run_plan"]
