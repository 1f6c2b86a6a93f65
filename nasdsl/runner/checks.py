"""What stops a plan from running, found before the journal is touched or before a rerun
reuses it."""
from __future__ import annotations

from nasdsl.errors import DataError, DslError, JournalError, PlanChanged
from nasdsl.journal import Journal
from nasdsl.plan import Plan, SearchConfig
from nasdsl.registry import ComponentError
from nasdsl.runner.components import Components
from nasdsl.settings import SettingError
from nasdsl.runner.task import run_id


def plan_problems(plan: Plan, components: Components = Components()) -> list[str]:
    """What stops `plan` from running here, each once: a search whose algorithm is not
    installed or refuses its settings, then what the data cannot answer."""
    problems: list[str] = []
    for config in plan.configs:
        try:
            components.make_optimizer(config.algorithm, components.space(config.space),
                                      config.settings)
        except (ComponentError, SettingError) as e:
            problems.append(e.message)
    seen: set[str] = set()
    for config in plan.configs:
        token = f"{config.evaluator!r}|{config.budget}"
        if token not in seen:
            seen.add(token)
            problems.extend(components.data_problems(config.evaluator, config.budget))
    return list(dict.fromkeys(problems))


def plan_data_notes(plan: Plan) -> list[str]:
    """What the data changes in defaulted settings, each once (for `nasdsl check`)."""
    from nasdsl.evaluators.factory import data_notes

    notes: list[str] = []
    for spec, budget in {repr((c.evaluator, c.budget)): (c.evaluator, c.budget)
                         for c in plan.configs}.values():
        notes.extend(data_notes(spec, budget))
    return list(dict.fromkeys(notes))


def check_plan(plan: Plan, components: Components) -> None:
    """Refuse (DataError, exit 2) a plan that cannot run, before the journal is touched."""
    problems = plan_problems(plan, components)
    if problems:
        name = plan.source or plan.experiment
        raise DataError(f"{name}: cannot run:\n  " + "\n  ".join(problems))


def _differences(journal: Journal, config: SearchConfig) -> list[str]:
    df = journal.configs()
    row = df[df["config"] == config.key]
    if row.empty:
        return []
    old = row.iloc[0]
    return [k for k, v in config.record().items() if old[k] != v]


def check_journal(journal: Journal, plan: Plan) -> None:
    """Refuse a journal whose recorded runs this plan would not reproduce."""
    states = journal.run_states()
    if not states:
        return
    advice = "; rerun with --fresh to discard the journal, or choose another output"
    fingerprints = journal.fingerprints()
    with_runs = {s.config for s in states.values()}
    for config in plan.configs:
        old = fingerprints.get(config.key)
        if old is not None and old != config.fingerprint() and config.key in with_runs:
            what = ", ".join(_differences(journal, config)) or "its settings"
            raise PlanChanged(f"search configuration {config.key} changed ({what}) since "
                              f"{journal.path} recorded its runs{advice}")
    for run in plan.runs:
        state = states.get(run_id(run))
        if state is not None and state.seed != run.seed:
            raise PlanChanged(f"run {run.key} was recorded with seed {state.seed}, the file now "
                              f"gives it seed {run.seed} (seed changed){advice}")
