"""The documentation's tables of results, generated so that no figure is copied by hand.

The study's published figures come from `nasdsl.study.published` (what the report
prints beside nasdsl's own). nasdsl's figures come from the reports: the metaheuristics from
`docs/study/nb101_metaheuristics.summary.csv` (the `summary.csv` that `nasdsl run
experiments/nb101_metaheuristics.nas` writes: copy it there after a rerun), the rest from one
`make study`, recorded in `docs/study/measured.json`. Each table fills a marked region of a
page:

    <!-- generated: NAME -->
    ...
    <!-- end generated -->

`python tools/docs_tables.py` rewrites every region; `--check` only says which are stale
(exit 1), which is what the tests run.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from typing import Callable

from nasdsl.study import published

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
MEASURED = DOCS / "study" / "measured.json"
METAHEURISTICS_SUMMARY = DOCS / "study" / "nb101_metaheuristics.summary.csv"
STUDY_NAMES = {"gaco": "GACO", "pso": "PSO", "abc": "ABC", "random": "Random search"}
"""The searches of `experiments/nb101_metaheuristics.nas` by the study's names."""
STATS = ("highest", "highest_mean", "mean", "mean_of_highest")
REGION = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)",
                    re.S)
DASH = "–"


def load_measured() -> dict:
    """nasdsl's figures: `measured.json`, plus the metaheuristics read from their report's
    summary (in %: highest, highest mean, mean, mean of highest; then the mean generation of
    first hit and the evaluations per run)."""
    measured = json.loads(MEASURED.read_text())
    with METAHEURISTICS_SUMMARY.open(newline="") as f:
        rows = {STUDY_NAMES[r["config"]]: r for r in csv.DictReader(f) if r["config"] in STUDY_NAMES}
    measured["metaheuristics"] = {
        name: [float(r[s]) * 100 for s in STATS]
        + [float(r["mean_first_hit"]), round(float(r["evaluations"]) / int(r["runs"]))]
        for name, r in rows.items()}
    return measured


def _study(value, fmt: str = "{:.2f}") -> str:
    """A published figure, or a dash where it is not transcribed."""
    return DASH if value is None else fmt.format(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _bold_max(values: list[float]) -> list[str]:
    top = max(values)
    return [f"**{v:.2f}**" if v == top else f"{v:.2f}" for v in values]


def final_comparison(measured: dict) -> str:
    """The highest accuracy each algorithm found, the study's beside nasdsl's."""
    meta = measured["metaheuristics"]
    dqn = measured["dqn"]
    rows: list[tuple[str, str | None, float, str, int]] = []
    for name, row in measured["evolution"].items():
        rows.append((row["label"], name, row["highest"], "", row["evaluations per run"]))
    labels = {"Random search": "random search"}
    for name, values in meta.items():
        rows.append((labels.get(name, name), name, values[0], "", values[-1]))
    chain = max((dqn["dense"], dqn["lstm"]), key=lambda r: r["best found"])
    wide = dqn["lstm, inputs = 2"]
    for name, label, r, episodes in (("DQN (chain space)", "DQN, chain space (363 cells)", chain,
                                      1000),
                                     ("DQN (inputs = 2)", "DQN, `inputs = 2` (182,947 cells)",
                                      wide, 2000)):
        note = (" (the space's best)" if r["best found"] == r["space best"]
                else f" (the space's best: {r['space best']:.2f})")
        rows.append((label, name, r["best found"], note, episodes))
    shown = _bold_max([r[2] for r in rows])
    body = [[label, _study(published.HIGHEST.get(name)), value + note, f"{evals:,}"]
            for (label, name, _, note, evals), value in zip(rows, shown)]
    return _table(["algorithm", "highest: study", "highest: nasdsl", "evaluations per run"], body)


def metaheuristics(measured: dict) -> str:
    """The study's five statistics for GACO, PSO, ABC and random search: study / nasdsl."""
    meta = measured["metaheuristics"]
    rows = []
    for name, study in published.METAHEURISTICS.items():
        ours = meta[name]
        cells = [f"{s:.3f} / {o:.3f}" for s, o in zip(study[:4], ours[:4])]
        cells.append(f"{study[4]:.1f} / {ours[4]:.1f}")
        label = "random search" if name == "Random search" else name
        rows.append([label, *cells, f"{ours[5]:,}"])
    return _table(["algorithm", "highest", "highest mean", "mean", "mean of highest",
                   "avg. generation of first hit", "evaluations per run (nasdsl)"], rows)


def dqn(measured: dict) -> str:
    """The study's three DQN set-ups: the study's findings beside nasdsl's."""
    rows = []
    for setup, ours in measured["dqn"].items():
        best, converges, differ = published.DQN[setup]
        space_best = ("the space's best" if ours["best found"] == ours["space best"]
                      else f"the space's best: {ours['space best']:.2f}%")
        rows.append([str(ours["set-up"]), ours["controller"], ours["space"],
                     f"{_study(best, '{:g}')}% / {ours['best found']:.2f}% ({space_best})",
                     ours["runs on the space's best"],
                     f"{converges or DASH} / {ours['converges at best']}",
                     f"{differ or DASH} / {ours['differ']}"])
    return _table(["set-up", "controller, episodes", "space",
                   "best found: study / nasdsl", "runs on the space's best, 2 / 1 networks",
                   "converges at best: study / nasdsl, 2 / 1 networks",
                   "1- vs 2-network differ: study / nasdsl"], rows)


TABLES: dict[str, Callable[[dict], str]] = {
    "study-final-comparison": final_comparison,
    "study-metaheuristics": metaheuristics,
    "study-dqn": dqn,
}


def fill(text: str, measured: dict) -> str:
    """The page with every generated region rewritten; an unknown region name is an error."""
    def region(match: re.Match) -> str:
        name = match["name"]
        if name not in TABLES:
            raise KeyError(f"no generated table named {name!r} (known: {', '.join(TABLES)})")
        return match.group(1) + TABLES[name](measured) + match.group(4)
    return REGION.sub(region, text)


def stale_pages(docs: Path = DOCS) -> list[Path]:
    """The pages whose generated regions differ from what the sources give now."""
    measured = load_measured()
    return [p for p in sorted(docs.rglob("*.md")) if fill(p.read_text(), measured) != p.read_text()]


def main(argv: list[str]) -> int:
    measured = load_measured()
    stale = stale_pages()
    if "--check" in argv:
        for page in stale:
            print(f"{page.relative_to(ROOT)}: generated tables are stale; run "
                  f"`python tools/docs_tables.py`", file=sys.stderr)
        return 1 if stale else 0
    for page in stale:
        page.write_text(fill(page.read_text(), measured))
        print(f"rewrote the generated tables of {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
