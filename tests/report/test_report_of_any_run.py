"""Every finished run gets its report: one whose every evaluation failed (plots that say
they have nothing to draw), and one whose name matplotlib would read as mathematics (shown
as written)."""
from __future__ import annotations

from pathlib import Path

from nasdsl.cli import main

EVALUATORS = '''
import hashlib

from nasdsl.evaluators.base import Evaluator
from nasdsl.result import Result


class Broken(Evaluator):
    """Fails every evaluation, as training on a machine without what it needs does."""

    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        raise RuntimeError("no accelerator here")


class Percent(Evaluator):
    """Answers in percent where nasdsl's accuracies are fractions: a user's wrong units."""

    @property
    def metrics(self):
        return ("test_accuracy",)

    def evaluate(self, x, seed=None):
        accuracy = 50 + hashlib.sha1(str(x).encode()).digest()[0] / 255 * 50
        return Result(fitness=accuracy, metrics={"test_accuracy": accuracy}, cost_seconds=1.0)


class Hashed(Evaluator):
    @property
    def metrics(self):
        return ("accuracy",)

    def evaluate(self, x, seed=None):
        accuracy = hashlib.sha1(str(x).encode()).digest()[0] / 255
        return Result(fitness=accuracy, metrics={"accuracy": accuracy}, cost_seconds=1.0)
'''

EXPERIMENT = """\
experiment {name}
seed = 1
repeat = 2
budget = 6 evaluations
space cell {{ vertices = 5; edges = 6 }}
evaluate "{module}:{evaluator}"
search random
search regularized_evolution {{ population = 2; sample = 2; mutation = flip }}
output = "{output}"
"""
REPORT = ("evaluations.csv", "summary.csv", "best_so_far.png", "generations.png", "regret.png",
          "best.json", "report.html")


def _run(tmp_path: Path, monkeypatch, capsys, name: str, evaluator: str) -> Path:
    """Run the experiment (its evaluators a module of its own), then report it again;
    the output folder."""
    module = f"report_toys_{evaluator.lower()}"
    (tmp_path / f"{module}.py").write_text(EVALUATORS)
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "out"
    exp = tmp_path / "exp.nas"
    exp.write_text(EXPERIMENT.format(name=name, module=module, evaluator=evaluator,
                                     output=out))
    for command in (["run", str(exp), "--quiet"], ["report", str(out)]):
        code = main(command)
        err = capsys.readouterr().err
        assert code == 0, (command, err)
        assert "Traceback" not in err
    assert all((out / name).is_file() for name in REPORT)
    return out


def test_a_run_whose_every_evaluation_failed_has_its_report(tmp_path, monkeypatch, capsys):
    out = _run(tmp_path, monkeypatch, capsys, "all_failed", "Broken")
    statuses = (out / "evaluations.csv").read_text().count(",failed,")
    assert statuses == 24  # 2 searches × 2 runs × 6 evaluations, none of them ok
    from PIL import Image

    with Image.open(out / "best_so_far.png") as image:
        assert "log scale" not in image.text["x axis"]  # no line to put on a log axis


def test_user_text_in_plots_is_shown_as_written(tmp_path, monkeypatch, capsys):
    """matplotlib reads `$…$` as mathematics and fails on `$\\frac{ in $`."""
    out = _run(tmp_path, monkeypatch, capsys, '"cost $\\\\frac{ in $"', "Hashed")
    assert "cost $\\frac{ in $" in (out / "report.html").read_text()


def test_an_accuracy_in_wrong_units_fails_its_evaluation_and_the_journal_stays_sound(
        tmp_path, monkeypatch, capsys):
    """An accuracy of 95 is refused before the search sees it (the evaluation fails, saying
    why), so the run, its report and a resume all read a sound journal."""
    out = _run(tmp_path, monkeypatch, capsys, "percent", "Percent")
    rows = (out / "evaluations.csv").read_text()
    assert rows.count(",failed,") == 24
    assert "test_accuracy" in rows and "which is not an accuracy (a fraction from 0 to 1)" in rows
    assert main(["run", str(tmp_path / "exp.nas"), "--quiet"]) == 0  # resumes: already finished
