"""What pygmo offers, read from the installed pygmo itself (never a hand-kept list), and each
algorithm as a component of the language: `search pygmo.NAME { … }`.

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
import math
import re
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Mapping

from nasdsl.plan import format_value
from nasdsl.registry import ComponentError
from nasdsl.settings import (Context, IntType, Param, Review, SettingError, ValueType, plain,
                             show)
from nasdsl.settings.bounds import MAX_POPULATION
from nasdsl.wording import count

CONTAINERS = ("archipelago", "island")
SKIPPED = ("null_algorithm",)
NAS_KEYS = ("generations", "population")
"""Keys every pygmo search takes: `generations` (pygmo's `gen`) and the population size."""
RESERVED = ("gen", "seed")
"""Constructor keywords the language sets itself: `gen` from `generations`, `seed` per run."""
POPULATION_BOUND = ("ker", "neighbours", "divisions")
"""Keywords whose pygmo default cannot work with a small population: GACO's and MACO's
archive `ker` (63), MOEA/D's `neighbours` (20, fewer than the population) and NSGA-III's
`divisions` (12: its reference directions may not outnumber the population). A default
beyond what the population allows is lowered to the most it allows (`population_bound`)."""


def population_bound(key: str, population: int, objectives: int = 1) -> int:
    """The largest value of `key` pygmo accepts with `population` individuals and
    `objectives` objectives."""
    if key == "neighbours":
        return max(population - 1, 1)
    if key == "divisions":  # C(d + m - 1, m - 1) reference directions for m objectives
        m, d = max(objectives, 2), 1
        while math.comb(d + 1 + m - 1, m - 1) <= population:
            d += 1
        return d
    return population
POPULATION = Param("population", IntType(1, MAX_POPULATION), 20, "population size")
GENERATIONS = Param("generations", IntType(1), None,
                    "pygmo's gen; default: evolve until the budget is spent")
SEARCH = "nasdsl.optimizers.pygmo_search:PygmoSearch"
"""The search that runs any pygmo algorithm."""


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
def several_objectives(name: str) -> bool:
    """Whether the algorithm searches a problem of two objectives (asked of pygmo itself)."""
    import pygmo

    algo = pygmo_algorithms()[name]
    if not algo.has_gen:
        return False
    keywords: dict[str, Any] = {"gen": 1}
    for key in POPULATION_BOUND:
        if isinstance(algo.keywords.get(key), int):
            keywords[key] = population_bound(key, 64, 2)
    try:
        population = pygmo.population(pygmo.problem(_RoundedProbe(2)), 64, seed=0)
        pygmo.algorithm(getattr(pygmo, name)(**keywords)).evolve(population)
    except Exception:  # pygmo refuses a multi-objective problem
        return False
    return True


def objectives_for(name: str) -> int:
    """How many objectives nasdsl's stand-in problems give the algorithm: 2 for one that
    refuses a single objective, else 1."""
    return 2 if multi_objective(name) else 1


@functools.lru_cache(maxsize=None)
def cannot_search(name: str) -> str:
    """Why the algorithm cannot search a space of architectures, or "" when it can. Asked of
    pygmo: a few generations on a small integer problem that has no gradient (as nasdsl's
    encoding) must evaluate some point beyond the initial population. Methods that need a
    gradient refuse the problem (ipopt); methods that step by finite differences (the
    `scipy.optimize` wrapper) never leave the rounded starting points."""
    import pygmo

    algo = pygmo_algorithms()[name]
    keywords: dict[str, Any] = {"gen": 3} if algo.has_gen else {}
    nobj = objectives_for(name)
    for key in POPULATION_BOUND:
        if isinstance(algo.keywords.get(key), int):
            keywords[key] = population_bound(key, 16, nobj)
    try:
        population = pygmo.population(pygmo.problem(_RoundedProbe(nobj)), 16, seed=0)
        first = set(population.problem.extract(_RoundedProbe).seen)
        population = pygmo.algorithm(getattr(pygmo, name)(**keywords)).evolve(population)
    except Exception as exc:  # pygmo says why it refuses the problem
        text = " ".join(str(exc).split())
        reason = text.split("what: ", 1)[-1] if "what: " in text else text
        return reason.split(" but the problem named")[0].rstrip(", ") or "pygmo refuses it"
    seen = set(population.problem.extract(_RoundedProbe).seen)
    if not seen - first:
        return ("it never moves past its starting points on a problem of integer choices "
                "(its steps are finite differences, which rounding undoes)")
    return ""


@functools.lru_cache(maxsize=None)
def integer_native(name: str) -> bool:
    """Whether the algorithm keeps a problem's integer dimensions integral (GACO, SGA, IHS);
    the others move through them as real numbers. Asked of pygmo: two generations on a small
    integer problem, every decision vector it evaluates checked."""
    import pygmo

    algo = pygmo_algorithms()[name]
    if not algo.has_gen:
        return False
    nobj = objectives_for(name)
    keywords: dict[str, Any] = {"gen": 2}
    for key in POPULATION_BOUND:
        if isinstance(algo.keywords.get(key), int):
            keywords[key] = population_bound(key, 64, nobj)
    try:
        population = pygmo.population(pygmo.problem(_IntegerProbe(nobj)), 64, seed=0)
        population = pygmo.algorithm(getattr(pygmo, name)(**keywords)).evolve(population)
    except Exception:  # an algorithm that refuses integer problems does not keep them
        return False
    vectors = population.problem.extract(_IntegerProbe).seen
    return all(float(v).is_integer() for x in vectors for v in x)


class _IntegerProbe:
    """Six integer dimensions, a smooth objective; remembers what it was asked (pygmo's
    copies of it carry the list along)."""

    def __init__(self, nobj: int = 1) -> None:
        self.seen: list[list[float]] = []
        self.nobj = nobj

    def fitness(self, x: Any) -> list[float]:
        self.seen.append(list(x))
        return [float(sum((v - 0.7 - k) ** 2 for v in x)) for k in range(self.nobj)]

    def get_bounds(self) -> tuple[list[int], list[int]]:
        return [0] * 6, [2, 2, 2, 1, 1, 1]

    def get_nix(self) -> int:
        return 6

    def get_nobj(self) -> int:
        return self.nobj


class _RoundedProbe:
    """Six choices searched as real numbers rounded to integers, as nasdsl's encoding is for
    algorithms that move through reals; remembers the rounded points it was asked."""

    def __init__(self, nobj: int = 1) -> None:
        self.seen: list[tuple[int, ...]] = []
        self.nobj = nobj

    def fitness(self, x: Any) -> list[float]:
        point = tuple(int(round(v)) for v in x)
        self.seen.append(point)
        return [float(sum((v - 1 - k) ** 2 for v in point)) for k in range(self.nobj)]

    def get_bounds(self) -> tuple[list[float], list[float]]:
        return [-0.49] * 6, [3.49] * 6

    def get_nobj(self) -> int:
        return self.nobj


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
    """The first sentence of the docstring after its `__init__(…)` line, in plain words:
    Sphinx roles such as :class:`~pygmo.pso` become `pso`."""
    doc = cls.__doc__ or ""
    match = re.search(r"__init__\((.*?)\)\s*$", doc, re.S | re.M)
    rest = doc[match.end():] if match else doc
    paragraph = " ".join(re.split(r"\n\s*\n", rest.strip(), maxsplit=1)[0].split())
    paragraph = re.sub(r":[a-z]+:`~?([^`]+)`", lambda m: "`" + (
        m.group(1).rsplit(".", 1)[-1] if m.group(0).split("`")[1].startswith("~")
        else m.group(1)) + "`", paragraph)
    sentence = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return sentence.group(1) if sentence else paragraph


# --- pygmo's algorithms as components of the language -------------------------------------------

@dataclass(frozen=True)
class LikeDefault(ValueType):
    """A constructor keyword: any value of the kind of pygmo's default (when it states one)."""

    default: Any

    def _wanted(self, value: Any) -> tuple[str, bool] | None:
        d = self.default
        if isinstance(d, bool):
            return "`true` or `false`", isinstance(value, bool)
        if isinstance(d, int):
            return "an integer", isinstance(value, int) and not isinstance(value, bool)
        if isinstance(d, float):
            return "a number", isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(d, str):
            return "a string", isinstance(value, str)
        if isinstance(d, list):
            return "a list", isinstance(value, list)
        return None

    def describe(self) -> str:
        wanted = self._wanted(None)
        return wanted[0] if wanted else "a value"

    def convert(self, node, ctx: Context):
        value = plain(node, ctx)
        wanted = self._wanted(value)
        if wanted is not None and not wanted[1]:
            raise ctx.source.error(f"`{ctx.key}` must be {wanted[0]}, got {show(node)}",
                                   node.pos)
        return value

    def spell(self, value: Any) -> str:
        return format_value(value)


class PygmoComponent:
    """One pygmo algorithm, `pygmo.NAME`: `generations` and `population`, then pygmo's own
    constructor keywords (only those written reach the plan: pygmo's defaults stay its own)."""

    reserved = {"gen": ("`gen` is written `generations` here", "generations"),
                "seed": ("`seed` is set per run from the top-level `seed` (seed + run)", None)}

    def __init__(self, algorithm: PygmoAlgorithm):
        self.algorithm = algorithm
        self.name = "pygmo." + algorithm.name
        self.single_objective = not multi_objective(algorithm.name)
        self.multi_objective = several_objectives(algorithm.name)
        self.__doc__ = algorithm.summary
        lead = (GENERATIONS, POPULATION) if algorithm.has_gen else (POPULATION,)
        own = tuple(Param(k, LikeDefault(d), d, fill=False)
                    for k, d in algorithm.keywords.items() if k not in RESERVED)
        self.parameters = lead + own

    def validate(self, review: Review) -> None:
        """A defaulted archive size above the population becomes the population; then the
        search itself is built on the file's space, which asks pygmo (a value it refuses only
        when it evolves is refused with pygmo's reason, before any run); and a note says when
        `generations` and an evaluation budget disagree, which one ends the search."""
        values, keywords = review.values, self.algorithm.keywords
        population = values["population"]
        for key in POPULATION_BOUND:
            most = population_bound(key, population, review.objectives)
            if key in keywords and key not in review.written and isinstance(
                    keywords[key], int) and keywords[key] > most:
                values[key] = most
                review.notes.append(
                    f"search `{review.label}`: `{self.name}` default `{key}` = "
                    f"{keywords[key]} cannot work with the population ({population}); "
                    f"using `{key}` = {most}")
        if review.space is None:
            return
        from nasdsl.spaces import make_space

        try:
            space = make_space(review.space)
        except (TypeError, ValueError):
            return  # the space block is refused with its own reason
        try:
            search = self(space, **values)
        except (TypeError, ValueError) as exc:
            shown = ", ".join(f"{k} = {format_value(values[k])}" for k in values
                              if k in review.written or k == "population")
            raise SettingError(f"`{self.name}` refuses these settings ({shown}): {exc}",
                               head=True) from None
        _budget_note(review, search)

    def largest_batch(self, settings: Mapping[str, Any]) -> int | None:
        """A population (the initial one, or a generation asked as one batch)."""
        return int(settings.get("population", POPULATION.default))

    def listing(self) -> list[str]:
        """What `nasdsl list algorithms` says beside the settings: how a generation spends
        evaluations (asked of pygmo at two population sizes), batched or not, integers or
        rounded reals."""
        return [f"# {_behaviour(self)}"]

    def __call__(self, space: Any, **settings: Any) -> Any:
        module, _, name = SEARCH.partition(":")
        try:
            search = getattr(import_module(module), name)
        except (ImportError, AttributeError) as e:
            raise ComponentError(f"algorithm {self.name!r} is not available here: {e}") from e
        return search(space, algorithm=self.algorithm.name, **settings)


def _budget_note(review: Review, search: Any) -> None:
    generations, budget = review.values.get("generations"), review.budget
    if generations is None or budget is None or budget.unit != "evaluations":
        return
    spend = search.population + generations * search.per_generation
    what = (f"search `{review.label}`: {count(spend, 'evaluation')} for "
            f"{count(generations, 'generation')} "
            f"({search.population} initial + {search.per_generation} a generation)")
    if budget.amount < spend:
        whole = max(int(budget.amount) - search.population, 0) // search.per_generation
        review.notes.append(f"{what}; the budget of {int(budget.amount):,} stops it after "
                            f"{count(whole, 'whole generation')}")
    elif budget.amount > spend:
        review.notes.append(f"{what}, less than its budget of {int(budget.amount):,}")


def _behaviour(component: PygmoComponent) -> str:
    from nasdsl.registry import lookup

    default_space = lookup("space", "cell")()  # what a generation spends is the same in any
    algo = component.algorithm
    asked = "each generation asked as one batch" if algo.batches else "one candidate at a time"
    kind = ("integers searched as integers" if integer_native(algo.name)
            else "reals rounded to integers")
    try:
        small, large = (component(default_space, population=n, **{
            k: population_bound(k, n, objectives_for(algo.name)) for k in POPULATION_BOUND
            if isinstance(algo.keywords.get(k), int)}).per_generation for n in (20, 24))
    except (TypeError, ValueError) as exc:
        return f"cannot search here: {exc}"
    if not algo.has_gen:
        return f"no generations (blocks of population); {asked}; {kind}"
    slope = (large - small) // 4
    rest = small - 20 * slope
    parts = ([f"{slope} × population" if slope > 1 else "population"] if slope else []) + (
        [str(rest)] if rest or not slope else [])
    per = " + ".join(parts)
    return f"a generation spends {per} evaluation{'s' if per != '1' else ''}; {asked}; {kind}"


class PygmoFamily:
    """`pygmo.*`: every usable algorithm of the installed pygmo."""

    def names(self) -> list[str]:
        return list(pygmo_algorithms())

    def member(self, name: str) -> PygmoComponent | None:
        found = pygmo_algorithms().get(name)
        if found is None:
            return None
        stuck = cannot_search(name)
        if stuck:
            raise ComponentError(f"`pygmo.{name}` cannot search architectures: {stuck}")
        return _component(name)


@functools.lru_cache(maxsize=None)
def _component(name: str) -> PygmoComponent:
    return PygmoComponent(pygmo_algorithms()[name])


PYGMO = PygmoFamily()
