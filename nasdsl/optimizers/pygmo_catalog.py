"""What pygmo offers, read from the installed pygmo itself (never a hand-kept list).

An algorithm is a class of `pygmo` whose default instance `pygmo.algorithm(...)` accepts,
except containers (`island`, `archipelago`), meta-algorithms that wrap another algorithm
(they take an `algo` argument the language cannot spell) and `null_algorithm` (it never
evaluates anything). Constructor keywords and defaults come from the class's
`__init__(gen = 1, …)` docstring line (C++ classes) or its Python signature; what an
algorithm does with a problem (multi-objective only, integers kept, a whole generation asked
as one batch) is asked of pygmo on small stand-in problems.
"""
from __future__ import annotations

import functools
import inspect
import re
from dataclasses import dataclass
from typing import Any, Mapping

CONTAINERS = ("archipelago", "island")
SKIPPED = ("null_algorithm",)
NAS_KEYS = ("generations", "population")
"""Keys every pygmo search takes: `generations` (pygmo's `gen`) and the population size."""
RESERVED = ("gen", "seed")
"""Constructor keywords the language sets itself: `gen` from `generations`, `seed` per run."""
POPULATION_BOUND = ("ker",)
"""Keywords whose pygmo default may exceed a small population (GACO's archive, 63): a
default above the population is lowered to it (pygmo refuses a larger archive)."""


@dataclass(frozen=True)
class PygmoAlgorithm:
    """One pygmo algorithm: `name` as in `pygmo.NAME`, constructor keywords -> defaults.

    A default of None stands for pygmo's `random` (the seed) or a default pygmo does not state.
    """

    name: str
    keywords: Mapping[str, Any]
    summary: str
    batches: bool = False
    """Accepts a batch fitness evaluator (`set_bfe`): each generation is evaluated as one
    batch, which the runner's executor can spread over workers."""

    @property
    def has_gen(self) -> bool:
        return "gen" in self.keywords

    @property
    def settable(self) -> tuple[str, ...]:
        """Keys a `.nas` search block may set for this algorithm."""
        own = tuple(k for k in self.keywords if k not in RESERVED)
        lead = NAS_KEYS if self.has_gen else ("population",)
        return lead + own


@functools.lru_cache(maxsize=1)
def pygmo_algorithms() -> dict[str, PygmoAlgorithm]:
    """Every usable pygmo algorithm by name; empty when pygmo is not installed."""
    try:
        import pygmo
    except ImportError:
        return {}
    found: dict[str, PygmoAlgorithm] = {}
    for name in sorted(dir(pygmo)):
        cls = getattr(pygmo, name)
        if not isinstance(cls, type) or name.startswith("_") or name in CONTAINERS + SKIPPED:
            continue
        keywords = _keywords(cls)
        if keywords is None or "algo" in keywords:
            continue
        if not _wraps(pygmo, cls):
            continue
        found[name] = PygmoAlgorithm(name, keywords, _summary(cls),
                                     batches=callable(getattr(cls, "set_bfe", None)))
    return found


def constructor_kwargs(name: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for `pygmo.NAME(...)` from a compiled search's settings.

    `generations` becomes `gen` (when set and the algorithm has it); `population` is not a
    constructor argument (it sizes the population); `seed` is left to the run.
    """
    algo = pygmo_algorithms()[name.removeprefix("pygmo.")]
    out = {k: v for k, v in settings.items() if k not in NAS_KEYS and k != "budget"}
    if algo.has_gen and settings.get("generations") is not None:
        out["gen"] = settings["generations"]
    return out


@functools.lru_cache(maxsize=None)
def multi_objective(name: str) -> bool:
    """Whether the algorithm refuses a single-objective problem (asked of pygmo itself)."""
    import pygmo

    algo = pygmo_algorithms()[name]
    if not algo.has_gen:
        return False
    try:
        problem = pygmo.problem(pygmo.rosenbrock(2))
        population = pygmo.population(problem, 64, seed=0)
        pygmo.algorithm(getattr(pygmo, name)(gen=1)).evolve(population)
    except Exception as exc:  # pygmo raises ValueError/RuntimeError with its reason
        text = str(exc).lower()
        return "multiobjective" in text or "multi-objective" in text
    return False


@functools.lru_cache(maxsize=None)
def integer_native(name: str) -> bool:
    """Whether the algorithm keeps a problem's integer dimensions integral (GACO, SGA, IHS);
    the others move through them as real numbers. Asked of pygmo: two generations on a small
    integer problem, every decision vector it evaluates checked."""
    import pygmo

    if not pygmo_algorithms()[name].has_gen:
        return False
    try:
        population = pygmo.population(pygmo.problem(_IntegerProbe()), 64, seed=0)
        population = pygmo.algorithm(getattr(pygmo, name)(gen=2)).evolve(population)
    except Exception:  # an algorithm that refuses integer problems does not keep them
        return False
    vectors = population.problem.extract(_IntegerProbe).seen
    return all(float(v).is_integer() for x in vectors for v in x)


class _IntegerProbe:
    """Six integer dimensions, a smooth objective; remembers what it was asked (pygmo's
    copies of it carry the list along)."""

    def __init__(self) -> None:
        self.seen: list[list[float]] = []

    def fitness(self, x: Any) -> list[float]:
        self.seen.append(list(x))
        return [float(sum((v - 0.7) ** 2 for v in x))]

    def get_bounds(self) -> tuple[list[int], list[int]]:
        return [0] * 6, [2, 2, 2, 1, 1, 1]

    def get_nix(self) -> int:
        return 6


def _wraps(pygmo: Any, cls: type) -> bool:
    """Whether `pygmo.algorithm` accepts the class. Python classes are judged by their
    `evolve` method (what pygmo asks of one) so their heavy imports are not triggered."""
    if cls.__module__.startswith("pygmo._py"):
        return callable(getattr(cls, "evolve", None))
    try:
        pygmo.algorithm(cls())
    except Exception:  # not an algorithm: pygmo refuses to wrap it
        return False
    return True


def _keywords(cls: type) -> dict[str, Any] | None:
    doc = cls.__doc__ or ""
    match = re.search(r"__init__\((.*?)\)\s*$", doc, re.S | re.M)
    if match and "self" not in match.group(1):
        return dict(_parse_params(match.group(1)))
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return {} if match else None
    out = {}
    for p in list(signature.parameters.values())[1:]:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        default = None if p.default is p.empty else p.default
        out[p.name] = default if isinstance(default, (int, float, str, bool, list, tuple)) \
            or default is None else None
    return out


def _parse_params(text: str) -> list[tuple[str, Any]]:
    out = []
    for part in _split_top(text):
        if "=" not in part:
            if part.strip():
                out.append((part.strip(), None))
            continue
        key, default = part.split("=", 1)
        out.append((key.strip(), _literal(default.strip())))
    return out


def _split_top(text: str) -> list[str]:
    """Split on commas that are not inside brackets or quotes."""
    parts, depth, quote, current = [], 0, False, []
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "[(":
            depth += 1
        elif not quote and ch in "])":
            depth -= 1
        elif ch == "," and depth == 0 and not quote:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return [p for p in (p.strip() for p in parts) if p]


def _literal(text: str) -> Any:
    """A default as pygmo's docstring spells it (`1u`, `0.`, `.5`, `"grid"`, `[2,3]`)."""
    if text == "random":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text.startswith("[") and text.endswith("]"):
        return [_literal(p) for p in _split_top(text[1:-1])]
    number = text.rstrip("u")
    if re.fullmatch(r"[+-]?\d+", number):
        return int(number)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", number):
        return float(number)
    return text


def _summary(cls: type) -> str:
    doc = cls.__doc__ or ""
    match = re.search(r"__init__\((.*?)\)\s*$", doc, re.S | re.M)
    rest = doc[match.end():] if match else doc
    for line in rest.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""
