"""`nasdsl check`: what a file will do (its plan, its size, its warnings).

Output is plain lines when stdout is not a terminal (pipes, CI, tests) and rich on one.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Sequence

from nasdsl.errors import DslError
from nasdsl.plan import Plan, format_value
from nasdsl.wording import count


def check_files(paths: Sequence[Path | str], strict: bool = False,
                verbose: bool | None = None) -> int:
    """Check each file. 2 if any file is refused (or, with `strict`, has data problems),
    else 0. A refused file does not stop the others.

    `verbose` prints each plan and its warnings; otherwise one line per file says what it
    holds and how many warnings it has. By default one file is shown in full, several files
    one line each (checking a folder of experiments stays short)."""
    from nasdsl.dsl import load
    from nasdsl.runner import plan_problems
    from nasdsl.runner.checks import plan_as_run, plan_data_notes

    if verbose is None:
        verbose = len(paths) == 1
    status = 0
    out = _Printer()
    for path in paths:
        try:
            plan = load(path)
        except DslError as exc:
            print(exc, file=sys.stderr)
            status = 2
            continue
        problems = plan_problems(plan)
        if problems and strict:
            status = 2
            if verbose:
                out.plan(plan_as_run(plan))
            for problem in problems:
                print(f"{path}: error: {problem}", file=sys.stderr)
            continue
        if verbose:
            out.plan(plan_as_run(plan))
            for note in plan_data_notes(plan):
                out.note(note)
            for problem in problems:
                out.warning(problem)
        else:
            print(summary_line(plan, path, warnings=len(problems)), file=sys.stdout)
    return status


def _started(plan: Plan) -> str:
    """How many worker processes the run starts here, when `workers` asks for several."""
    from nasdsl.runner.workers import plan_workers

    if plan.execution.workers <= 1 or plan.execution.cluster is not None:
        return ""
    started = plan_workers(plan)
    if started == 0:
        return " (none start: the evaluations run in this process)"
    return f" ({count(started, 'worker process', 'worker processes')} start)"


def summary_line(plan: Plan, path: Path | str, warnings: int = 0) -> str:
    """One line saying what a checked file holds (`nasdsl check` of several files)."""
    line = (f"{path}: ok, experiment {plan.experiment}: "
            f"{count(len(plan.configs), 'configuration')}, {_totals(plan)}")
    if warnings:
        line += f"; {count(warnings, 'warning')} (-v shows them)"
    return line


def plan_lines(plan: Plan) -> list[str]:
    """The plan as plain text lines (what `nasdsl check` prints)."""
    first = plan.configs[0]
    lines = [
        f"experiment {plan.experiment}" + (f"  ({plan.source})" if plan.source else ""),
        f"  seed {plan.seed}, repeat {plan.repeat}, output {plan.output}",
        f"  space {first.space.kind}: {_merged([c.space.settings for c in plan.configs])}",
    ]
    spaces = list({repr(c.space): c.space for c in plan.configs}.values())
    sizes = [space_size(s) + _differing(s.settings, [o.settings for o in spaces])
             for s in spaces]
    lines.append("  space size: " + "; ".join(sizes))
    target = f" {first.evaluator.target!r}" if first.evaluator.target else ""
    lines.append(f"  evaluate {first.evaluator.kind}{target}: "
                 f"{_merged([c.evaluator.settings for c in plan.configs])}")
    by_label: dict[str, list] = {}
    for config in plan.configs:
        by_label.setdefault(config.label, []).append(config)
    for label, configs in by_label.items():
        head = configs[0]
        title = label if label == head.algorithm else f"{label} ({head.algorithm})"
        lines.append(f"  search {title}: {count(len(configs), 'configuration')}, "
                     f"{count(len(configs) * plan.repeat, 'run')}")
        for config in configs:
            swept = ", ".join(f"{k} = {format_value(v)}" for k, v in config.swept.items())
            lines.append(f"    [{config.index}] {swept or 'no sweep'}; budget {config.budget}; "
                         f"{_settings(config.settings) or 'no settings'}")
    if plan.final:
        lines.append(f"  final: top {plan.final.top}, epochs {plan.final.epochs}")
    ex = plan.execution
    lines.append(f"  run: workers {ex.workers}" + _started(plan)
                 + (f", cluster {ex.cluster}" if ex.cluster else "")
                 + f", journal {plan.journal_path}")
    for note in plan.notes:
        lines.append(f"  note: {note}")
    lines.append("  total: " + _totals(plan))
    return lines


def space_size(spec: Any) -> str:
    """The exact size of a space (rounded, above 10^15), or why it is not counted here."""
    try:
        from nasdsl.spaces import make_space

        return f"{count_text(make_space(spec).size())} architectures"
    except NotImplementedError as e:
        return f"size not counted ({e})" if str(e) else "size unknown"
    except (ImportError, AttributeError, TypeError):
        return "size unknown"


def count_text(n: int) -> str:
    """`423,624`; beyond 10^15, `about 3.2 × 10^2664` (no 2,664-digit number on screen, and
    no conversion of one to text)."""
    if n < 10 ** 15:
        return f"{n:,}"
    exponent = int(math.log10(n))
    top = round(n / 10 ** (exponent - 1))  # two significant digits, rounded
    while top >= 100:  # log10 rounded down, or rounding carried over: 9.99 -> 10
        exponent += 1
        top = round(n / 10 ** (exponent - 1))
    while top < 10:
        exponent -= 1
        top = round(n / 10 ** (exponent - 1))
    return f"about {top // 10}.{top % 10} × 10^{exponent}"


def _merged(settings: list[Any]) -> str:
    """Settings of several configurations: `key = v` where all agree, `key in [..]` where
    a sweep gives them different values."""
    parts = []
    for key, value in settings[0].items():
        values = list(dict.fromkeys(format_value(s.get(key)) for s in settings))
        if len(values) > 1:
            parts.append(f"{key} in [{', '.join(values)}]")
        elif value is not None:
            parts.append(f"{key} = {values[0]}")
    return ", ".join(parts)


def _differing(settings: Any, others: list[Any]) -> str:
    """` (key = v)` for the settings that tell this space from the other ones, if any."""
    keys = [k for k in settings if len({format_value(o.get(k)) for o in others}) > 1]
    return f" ({_settings({k: settings[k] for k in keys})})" if keys else ""


def _settings(settings: Any) -> str:
    return ", ".join(f"{k} = {format_value(v)}" for k, v in settings.items() if v is not None)


def _totals(plan: Plan) -> str:
    runs = plan.runs
    evaluations = sum(int(r.config.budget.amount) for r in runs
                      if r.config.budget.unit == "evaluations")
    seconds = sum(r.config.budget.amount for r in runs if r.config.budget.unit == "seconds")
    parts = [count(len(runs), "run")]
    if evaluations:
        parts.append(count(evaluations, "evaluation"))
    if seconds:
        parts.append(f"{format_value(seconds)} seconds of training time")
    return ", ".join(parts)


class _Printer:
    """Plain lines off a terminal, rich on one."""

    def __init__(self) -> None:
        self.rich = sys.stdout.isatty()

    def plan(self, plan: Plan) -> None:
        lines = plan_lines(plan)
        if not self.rich:
            print("\n".join(lines))
            return
        from rich.console import Console
        from rich.markup import escape

        console = Console()
        console.print(f"[bold]{escape(lines[0])}[/bold]")
        for line in lines[1:]:
            style = "yellow" if line.lstrip().startswith("note:") else ""
            console.print(f"[{style}]{escape(line)}[/{style}]" if style else escape(line))

    def note(self, text: str) -> None:
        print(f"  note: {text}", file=sys.stdout)

    def warning(self, text: str) -> None:
        print(f"warning: {text}", file=sys.stdout)
