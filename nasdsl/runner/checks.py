"""What stops a plan from running, found before the journal is touched or before a rerun
reuses it."""
from __future__ import annotations

import json

from typing import Any

from nasdsl.errors import DataError, DslError, JournalError, NasdslError, PlanChanged
from nasdsl.evaluation.fidelity import rung_problem
from nasdsl.journal.writer import Writer
from nasdsl.plan import Plan, SearchConfig
from nasdsl.registry import ComponentError, optimizer_of
from nasdsl.runner.components import Components
from nasdsl.runner.final import final_problems
from nasdsl.settings import SettingError
from nasdsl.runner.task import run_id


def plan_problems(plan: Plan, components: Components = Components(),
                  fetch: bool = False) -> list[str]:
    """What stops `plan` from running here, each once: a search whose algorithm is not
    installed, or that refuses its settings or its space, a `final` its evaluators cannot
    retrain, then what the data cannot answer. `fetch` (`nasdsl run`): download the data an
    evaluator needs first; without it (`nasdsl check`) nothing is downloaded and no
    connection opened. Nothing is built but the spaces (each once)."""
    problems: list[str] = []
    for config in plan.configs:
        try:
            multi = _check_search(config, components)
        except (ComponentError, SettingError) as e:
            problems.append(e.message)
            continue
        if multi is not None:
            problems.extend(_fidelity_problems(config, multi, components))
    problems.extend(final_problems(plan))
    if plan.execution.cluster:
        try:
            import distributed  # noqa: F401
        except ImportError:
            problems.append(f"`run {{ cluster = \"{plan.execution.cluster}\" }}` sends "
                            "evaluations to Dask, which is not installed here: pip install "
                            "'nasdsl[dask]' (or leave `cluster` out to run on this machine)")
    seen: set[str] = set()
    for config in plan.configs:
        token = f"{config.evaluator!r}|{config.budget}"
        if token not in seen:
            seen.add(token)
            failed = components.fetch_data(config.evaluator) if fetch else []
            problems.extend(failed or components.data_problems(config.evaluator,
                                                               config.budget))
    return list(dict.fromkeys(problems))


def _check_search(config: SearchConfig, components: Components) -> Any:
    """A search's refusals: a setting it does not declare (checked here for a plan built in
    Python only: the language refused those of a file when it resolved the name), then what
    its constructor refuses here (a library it needs is missing, a space it cannot search:
    a controller's space without a decision environment). The search is built from the
    plan's record, not resolved again; returned when it is multi-fidelity (to ask for its
    rungs), else None."""
    from nasdsl.optimizers import own_settings

    component = optimizer_of(config)
    if config.component is None:
        component.unknown_settings(own_settings(config.settings), f"search {component.name}")
    built = components.make_optimizer(component, components.space(config.space),
                                      config.settings)
    return built if component.declared("multi_fidelity") else None


def _fidelity_problems(config: SearchConfig, optimizer: Any,
                       components: Components) -> list[str]:
    """A multi-fidelity search needs an evaluator serving every rung of its ladder (a table
    holding each rung's epochs)."""
    fidelities = components.fidelities(config.evaluator)
    where = f"`search {config.label}`"
    if fidelities is None:
        return [f"{where} trains at several fidelities (epochs), which `evaluate "
                f"{config.evaluator.kind}` does not offer"]
    if fidelities.offered is not None and not fidelities.offered:
        return []  # no data: the data checks say why
    try:
        ladder = optimizer.ladder(fidelities)
    except NasdslError as e:
        return [f"{where}: {e}"]
    store = ("the NAS-Bench-101 store" if config.evaluator.kind == "nasbench101"
             else f"`evaluate {config.evaluator.kind}`")
    problem = rung_problem(ladder, fidelities.offered, store)
    return [] if problem is None else [f"{where}: {problem}"]


def plan_data_notes(plan: Plan) -> list[str]:
    """What the data changes in defaulted settings, each once (for `nasdsl check`)."""
    from nasdsl.evaluators.factory import data_notes

    notes: list[str] = []
    for spec, budget in {repr((c.evaluator, c.budget)): (c.evaluator, c.budget)
                         for c in plan.configs}.values():
        notes.extend(data_notes(spec, budget))
    return list(dict.fromkeys(notes))


def plan_as_run(plan: Plan) -> Plan:
    """The plan with the defaulted settings the data changes as a run will use them (the
    NAS-Bench-101 `report` the store can answer), so `nasdsl check` prints what runs."""
    from dataclasses import replace

    from nasdsl.evaluators.factory import data_settings

    answers: dict[str, dict] = {}
    configs = []
    for config in plan.configs:
        key = repr((config.evaluator, config.budget))
        if key not in answers:
            answers[key] = data_settings(config.evaluator, config.budget)
        if answers[key]:
            evaluator = replace(config.evaluator,
                                settings={**config.evaluator.settings, **answers[key]})
            config = replace(config, evaluator=evaluator)
        configs.append(config)
    return replace(plan, configs=tuple(configs))


def check_plan(plan: Plan, components: Components) -> None:
    """Refuse (DataError, exit 2) a plan that cannot run, before the journal is touched."""
    problems = plan_problems(plan, components, fetch=True)
    if problems:
        name = plan.source or plan.experiment
        raise DataError(f"{name}: cannot run:\n  " + "\n  ".join(problems))


def _differences(journal: Writer, config: SearchConfig) -> list[str]:
    df = journal.configs()
    row = df[df["config"] == config.key]
    if row.empty:
        return []
    old = row.iloc[0]
    return [k for k, v in config.record().items() if old[k] != v]



def data_identities(plan: Plan, components: Components) -> dict[str, str | None]:
    """Configuration key -> the JSON identity of the data its evaluator reads (or None)."""
    by_spec: dict[str, str | None] = {}
    out: dict[str, str | None] = {}
    for config in plan.configs:
        token = repr(config.evaluator)
        if token not in by_spec:
            found = components.data_identity(config.evaluator)
            by_spec[token] = json.dumps(found, sort_keys=True) if found is not None else None
        out[config.key] = by_spec[token]
    return out


def _describe(identity: dict) -> str:
    source = f" imported from {identity['source']}" if identity.get("source") else ""
    when = f" at {identity['imported']}" if identity.get("imported") else ""
    return f"the {identity.get('kind', 'data')} store{source}{when} (content {identity.get('id')})"


def check_data(journal: Writer, plan: Plan, identities: dict[str, str | None]) -> None:
    """Refuse to continue or reuse runs recorded on other data than the plan reads now, or
    recorded by an older nasdsl with failed lookups (a damaged store then gave failures where
    numbers should be: they cannot be told from real ones, so the run is not reused)."""
    advice = "; rerun with --fresh to discard the journal, or choose another output"
    by_id = {run_id(run): run for run in plan.runs}
    for state in journal.run_states().values():
        run = by_id.get(state.run)
        now = identities.get(run.config.key) if run is not None else None
        if run is None or now is None:
            continue
        if state.data is None:
            if state.failed:
                raise JournalError(
                    f"run {run.key} in {journal.path} was recorded by an older nasdsl and "
                    f"holds {state.failed} failed evaluations; that version journaled the "
                    "errors of a damaged store as failed evaluations, and they cannot be told "
                    f"from real ones, so the run is not reused{advice}")
            continue
        before, current = json.loads(state.data), json.loads(now)
        if before.get("id") != current.get("id"):
            raise JournalError(f"run {run.key} read {_describe(before)}; the store is now "
                               f"{_describe(current)}, and one comparison must come from one "
                               f"table{advice}")


def check_journal(journal: Writer, plan: Plan) -> None:
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
