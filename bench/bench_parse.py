"""Parse + compile speed of `.nas` files.

One line per figure: name, value, unit, baseline (measured in the same run), ratio.
Baselines: the warm figures are compared with the cold one (grammar build included), and the
LALR parse with Lark's Earley parser on the same grammar.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Callable

from nasdsl.dsl import loads, parser
from nasdsl.dsl.diagnostics import Source

ROOT = Path(__file__).resolve().parent.parent


def _largest_example() -> tuple[str, str]:
    path = max((ROOT / "experiments").glob("*.nas"), key=lambda p: p.stat().st_size)
    return path.name, path.read_text(encoding="utf-8")


def _synthetic(searches: int = 40) -> str:
    """Many searches, each with a product of sweeps (4 × 4 = 16 configurations)."""
    lines = ["experiment synthetic", "seed = 0; repeat = 3", "budget = 500 evaluations",
             "space cell { vertices = 7; edges in [7, 9] }",
             "evaluate nasbench101 { fitness = validation_accuracy }"]
    for i in range(searches):
        lines.append(f"search regularized_evolution as evo{i} {{ population in [40, 60, 80, 100]; "
                     f"mutation = grow(add_node in [0.01, 0.05, 0.1, 0.2], add_connection = 0.1) }}")
    return "\n".join(lines) + "\n"


def _median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _line(name: str, value: float, unit: str, baseline_name: str, baseline: float) -> None:
    ratio = baseline / value if value else float("inf")
    print(f"{name}  {value:.3f} {unit}  baseline {baseline_name} {baseline:.3f} {unit}  "
          f"ratio {ratio:.1f}x")


def main() -> None:
    name, example = _largest_example()
    synthetic = _synthetic()

    parser._parser.cache_clear()
    start = time.perf_counter()
    loads(example, name)
    cold = (time.perf_counter() - start) * 1000

    warm = _median_seconds(lambda: loads(example, name), 50) * 1000
    _line(f"parse+compile {name} warm", warm, "ms", "cold (grammar build)", cold)

    plan = loads(synthetic, "synthetic.nas")
    big = _median_seconds(lambda: loads(synthetic, "synthetic.nas"), 5) * 1000
    per_config = big / len(plan.configs)
    _line(f"parse+compile synthetic ({len(plan.configs)} configs, {len(synthetic)} chars)",
          big, "ms", "cold example", cold)
    print(f"compile per configuration  {per_config:.3f} ms")

    lalr = parser.grammar_parser("lalr")
    earley = parser.grammar_parser("earley")
    source = Source("synthetic.nas", synthetic)

    def lalr_parse() -> None:
        lalr.options.postlex.source = source
        lalr.parse(synthetic)

    lalr_ms = _median_seconds(lalr_parse, 5) * 1000
    earley_ms = _median_seconds(lambda: earley.parse(synthetic), 3) * 1000
    _line("parse only synthetic, LALR", lalr_ms, "ms", "Earley same grammar", earley_ms)


if __name__ == "__main__":
    main()
