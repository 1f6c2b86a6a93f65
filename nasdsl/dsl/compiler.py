"""AST -> `Plan`: check every block against the schema, expand sweeps, fill defaults.

Each search block becomes one `SearchConfig` per element of the Cartesian product of the
sweeps that apply to it: top-level sweeps, the space's, the evaluator's and its own.
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from nasdsl.dsl import ast, schema
from nasdsl.dsl.diagnostics import Source
from nasdsl.dsl.sweeps import Dimension, Template, collect
from nasdsl.dsl.types import REQUIRED, Context, Param, plain, show
from nasdsl.plan import (
    Budget, Call, EvaluatorSpec, ExecutionSpec, FinalSpec, Plan, SearchConfig, SpaceSpec,
    format_value,
)

ORIGIN = ast.Pos(1, 1)


@dataclass
class _Checked:
    """A block's values for one configuration: converted values and the AST they came from."""

    values: dict[str, Any]
    nodes: dict[str, ast.Value]


@dataclass
class _SearchBlock:
    block: ast.Block
    algorithm: str
    label: str
    template: Template


@dataclass
class _Blocks:
    header: ast.Block | None = None
    space: ast.Block | None = None
    evaluate: ast.Block | None = None
    searches: list[ast.Block] = field(default_factory=list)
    final: ast.Block | None = None
    run: ast.Block | None = None


def compile_document(doc: ast.Document, default_name: str, source_path: Path | None) -> Plan:
    """The Plan of a parsed file; raises DslError at the first problem."""
    return _Compiler(doc, Source(doc.file, doc.text)).compile(default_name, source_path)


class _Compiler:
    def __init__(self, doc: ast.Document, source: Source):
        self.doc = doc
        self.src = source
        self.notes: list[str] = []

    # --- whole file -------------------------------------------------------------------
    def compile(self, default_name: str, source_path: Path | None) -> Plan:
        top_statements = [s for s in self.doc.statements if not isinstance(s, ast.Block)]
        blocks = self._sort_blocks([s for s in self.doc.statements if isinstance(s, ast.Block)])
        top = self._top_template(top_statements)
        name = self._experiment_name(blocks.header, default_name)

        if blocks.space is None:
            raise self.src.error("a `space cell { … }` or `space global { … }` block is required",
                                 ORIGIN)
        if blocks.evaluate is None:
            raise self.src.error("an `evaluate` block is required (`evaluate nasbench101 { … }`, "
                                 "`evaluate keras { … }` or `evaluate \"package.module:name\"`)",
                                 ORIGIN)
        if not blocks.searches:
            raise self.src.error("at least one `search` block is required (e.g. `search random`)",
                                 ORIGIN)

        fixed = top.fill([0] * len(top.dims))
        seed = self._convert(schema.TOP_LEVEL["seed"], fixed.get("seed"), "seed")
        repeat = self._convert(schema.TOP_LEVEL["repeat"], fixed.get("repeat"), "repeat")
        output = self._convert(schema.TOP_LEVEL["output"], fixed.get("output"), "output")

        space_kind, space_tpl = self._space(blocks.space)
        eval_kind, target, eval_tpl = self._evaluator(blocks.evaluate)
        searches = self._searches(blocks.searches)
        final = self._final(blocks.final, eval_kind)
        execution = self._execution(blocks.run)

        configs: list[SearchConfig] = []
        space_cache: dict[tuple[int, ...], tuple[SpaceSpec, _Checked]] = {}
        eval_cache: dict[tuple[int, ...], tuple[EvaluatorSpec, _Checked]] = {}
        for search in searches:
            own_budget = search.template.has("budget")
            top_dims = [d for d in top.dims if not (own_budget and "budget" in d.names)]
            groups = [top_dims, space_tpl.dims, eval_tpl.dims, search.template.dims]
            ranges = [range(len(d.choices)) for g in groups for d in g]
            for combo in itertools.product(*ranges):
                cuts = list(itertools.accumulate(len(g) for g in groups))
                top_c = combo[:cuts[0]]
                space_c = combo[cuts[0]:cuts[1]]
                eval_c = combo[cuts[1]:cuts[2]]
                search_c = combo[cuts[2]:]
                if space_c not in space_cache:
                    space_cache[space_c] = self._space_spec(blocks.space, space_kind,
                                                            space_tpl, space_c)
                if eval_c not in eval_cache:
                    eval_cache[eval_c] = self._evaluator_spec(blocks.evaluate, eval_kind, target,
                                                              eval_tpl, eval_c)
                space_spec, space_checked = space_cache[space_c]
                eval_spec, _ = eval_cache[eval_c]
                if eval_kind == "nasbench101":
                    self._nasbench101_fits(blocks.space, space_spec, space_checked)
                top_values = self._fill_top(top, top_dims, top_c)
                config = self._config(search, search_c, top_values, space_spec, eval_spec,
                                      len(configs))
                swept = {}
                swept.update(self._swept(top_dims, top_c, {"budget": config.budget}))
                swept.update(self._swept(space_tpl.dims, space_c, space_spec.settings, "space."))
                swept.update(self._swept(eval_tpl.dims, eval_c, eval_spec.settings, "evaluate."))
                swept.update(self._swept(search.template.dims, search_c, config.settings, "",
                                         budget=config.budget))
                configs.append(_with_swept(config, swept))

        return Plan(
            experiment=name,
            source=source_path,
            seed=seed,
            repeat=repeat,
            output=Path(output if output is not None else f"results/{name}"),
            configs=tuple(configs),
            execution=execution,
            final=final,
            notes=tuple(dict.fromkeys(self.notes)),
        )

    def _sort_blocks(self, blocks: Sequence[ast.Block]) -> _Blocks:
        out = _Blocks()
        for block in blocks:
            kind = block.kind.name
            if kind not in schema.BLOCK_KINDS:
                raise self.src.unknown("block", kind, block.kind.pos, schema.BLOCK_KINDS)
            if kind == "search":
                out.searches.append(block)
                continue
            slot = "header" if kind == "experiment" else kind
            previous = getattr(out, slot)
            if previous is not None:
                word = "an `experiment` header" if kind == "experiment" else f"a `{kind}` block"
                raise self.src.error(f"{word} is given twice (first on line "
                                     f"{previous.pos.line}); a file declares one", block.kind.pos)
            setattr(out, slot, block)
        return out

    def _top_template(self, statements: Sequence[ast.Statement]) -> Template:
        for stmt in statements:
            keys = stmt.keys if isinstance(stmt, ast.ZippedSweep) else (stmt.key,)
            for key in keys:
                if key.name == "experiment":
                    raise self.src.error("write the header as `experiment NAME` (no `=`)",
                                         key.pos)
        return collect(statements, self.src, "", schema.TOP_LEVEL, "at the top level",
                       schema.TOP_LEVEL_SWEEPABLE)

    def _fill_top(self, top: Template, dims: Sequence[Dimension],
                  choice: Sequence[int]) -> dict[str, ast.Value]:
        used = Template(top.values, top.keys, list(dims))
        return used.fill(choice)

    def _experiment_name(self, header: ast.Block | None, default: str) -> str:
        if header is None:
            return default
        if header.head is None or header.body is not None or header.label is not None:
            raise self.src.error("the header is `experiment NAME`, with nothing after the name",
                                 header.kind.pos)
        if isinstance(header.head, ast.Name):
            node: ast.Value = ast.Str(header.head.value, header.head.pos)
        else:
            node = header.head
        return schema.EXPERIMENT_NAME.convert(node, Context(self.src, "experiment"))

    # --- values -----------------------------------------------------------------------
    def _convert(self, param: Param, node: ast.Value | None, key: str) -> Any:
        if node is None:
            return param.default
        return param.type.convert(node, Context(self.src, key))

    def _check_block(self, params: Mapping[str, Param], values: Mapping[str, ast.Value],
                     block: ast.Block, what: str) -> _Checked:
        out: dict[str, Any] = {}
        for name, param in params.items():
            if name in values:
                out[name] = param.type.convert(values[name], Context(self.src, name))
            elif param.default is REQUIRED:
                raise self.src.error(f"`{what}` needs `{name}`", block.kind.pos)
            else:
                out[name] = copy.deepcopy(param.default)
        return _Checked(out, dict(values))

    def _no_label(self, block: ast.Block) -> None:
        if block.label is not None:
            raise self.src.error(f"only a `search` takes a label (`as {block.label.name}`)",
                                 block.label.pos)

    # --- space ------------------------------------------------------------------------
    def _space(self, block: ast.Block) -> tuple[str, Template]:
        self._no_label(block)
        if not isinstance(block.head, ast.Name):
            where = block.head.pos if block.head is not None else block.kind.pos
            raise self.src.error("a space is `space cell { … }` or `space global { … }`", where,
                                 accepted=tuple(schema.SPACES))
        kind = block.head.value
        if kind not in schema.SPACES:
            raise self.src.unknown("space kind", kind, block.head.pos, schema.SPACES)
        template = collect(block.body or (), self.src, "space.", schema.SPACES[kind],
                           f"in `space {kind}`")
        return kind, template

    def _space_spec(self, block: ast.Block, kind: str, template: Template,
                    choice: tuple[int, ...]) -> tuple[SpaceSpec, _Checked]:
        checked = self._check_block(schema.SPACES[kind], template.fill(choice), block,
                                    f"space {kind}")
        return SpaceSpec(kind, checked.values), checked

    def _nasbench101_fits(self, block: ast.Block, spec: SpaceSpec, checked: _Checked) -> None:
        """NAS-Bench-101 holds cells of ≤ 7 vertices, ≤ 9 edges and three ops only."""
        if spec.kind != "cell":
            assert block.head is not None
            raise self.src.error("`evaluate nasbench101` needs `space cell` (the benchmark "
                                 "holds cells only)", block.head.pos)
        limits = (("vertices", schema.NB101_MAX_VERTICES), ("edges", schema.NB101_MAX_EDGES))
        for key, most in limits:
            if spec.settings[key] > most:
                raise self.src.error(f"`{key}` must be ≤ {most} with `evaluate nasbench101` "
                                     f"(got {spec.settings[key]})", checked.nodes[key].pos)
        ops_node = checked.nodes.get("ops")
        for op in spec.settings["ops"]:
            if op not in schema.NB101_OPS:
                pos = ops_node.pos if ops_node is not None else block.kind.pos
                if isinstance(ops_node, ast.ListValue):
                    pos = next(i.pos for i in ops_node.items if getattr(i, "value", None) == op)
                raise self.src.error(f"op `{op}` is not in NAS-Bench-101", pos,
                                     accepted=schema.NB101_OPS)

    # --- evaluator --------------------------------------------------------------------
    def _evaluator(self, block: ast.Block) -> tuple[str, str | None, Template]:
        self._no_label(block)
        if block.head is None:
            raise self.src.error("say what evaluates: `evaluate nasbench101`, `evaluate keras` "
                                 "or `evaluate \"package.module:name\"`", block.kind.pos)
        if isinstance(block.head, ast.Str):
            target = block.head.value
            if not schema.PYTHON_TARGET.fullmatch(target):
                raise self.src.error(f"a Python evaluator is named \"package.module:name\", "
                                     f"got {show(block.head)}", block.head.pos)
            return "python", target, collect(block.body or (), self.src, "evaluate.", None,
                                             "in `evaluate`")
        kind = block.head.value
        if kind not in schema.EVALUATORS:
            raise self.src.unknown("evaluator", kind, block.head.pos, schema.EVALUATORS,
                                   "(or a \"package.module:name\" string)")
        return kind, None, collect(block.body or (), self.src, "evaluate.",
                                   schema.EVALUATORS[kind], f"in `evaluate {kind}`")

    def _evaluator_spec(self, block: ast.Block, kind: str, target: str | None,
                        template: Template, choice: tuple[int, ...]
                        ) -> tuple[EvaluatorSpec, _Checked]:
        values = template.fill(choice)
        if kind == "python":
            settings = {k: plain(v, Context(self.src, k)) for k, v in values.items()}
            return EvaluatorSpec("python", settings, target), _Checked(settings, values)
        checked = self._check_block(schema.EVALUATORS[kind], values, block, f"evaluate {kind}")
        return EvaluatorSpec(kind, checked.values), checked

    # --- searches ---------------------------------------------------------------------
    def _searches(self, blocks: Sequence[ast.Block]) -> list[_SearchBlock]:
        out: list[_SearchBlock] = []
        labels: dict[str, ast.Block] = {}
        for block in blocks:
            if not isinstance(block.head, ast.Name):
                where = block.head.pos if block.head is not None else block.kind.pos
                raise self.src.error("a search names its algorithm: `search ALGORITHM`", where,
                                     accepted=schema.algorithm_names())
            algorithm = block.head.value
            allowed = self._search_keys(algorithm, block.head)
            label = block.label.name if block.label else algorithm
            if label in labels:
                pos = block.label.pos if block.label else block.head.pos
                raise self.src.error(f"two searches are labelled `{label}` (first on line "
                                     f"{labels[label].pos.line}); give one `as LABEL`", pos)
            labels[label] = block
            self._reserved_keys(block, algorithm)
            template = collect(block.body or (), self.src, "", allowed,
                               f"in `search {algorithm}`")
            out.append(_SearchBlock(block, algorithm, label, template))
        return out

    def _reserved_keys(self, block: ast.Block, algorithm: str) -> None:
        """pygmo's `gen` and `seed` are spelled differently here; say how."""
        if not algorithm.startswith(schema.PYGMO_PREFIX):
            return
        hints = {"gen": ("`gen` is written `generations` here", "generations"),
                 "seed": ("`seed` is set per run from the top-level `seed` (seed + run)", None)}
        for stmt in block.body or ():
            keys = stmt.keys if isinstance(stmt, ast.ZippedSweep) else (stmt.key,)
            for key in keys:
                if key.name in hints:
                    message, suggestion = hints[key.name]
                    raise self.src.error(message, key.pos, suggestion=suggestion)

    def _search_keys(self, algorithm: str, head: ast.Name) -> list[str]:
        if algorithm in schema.ALGORITHMS:
            return list(schema.ALGORITHMS[algorithm]) + ["budget"]
        if algorithm.startswith(schema.PYGMO_PREFIX):
            from nasdsl.optimizers.pygmo_catalog import multi_objective, pygmo_algorithms

            name = algorithm.removeprefix(schema.PYGMO_PREFIX)
            found = pygmo_algorithms().get(name)
            if found is None:
                raise self.src.unknown("algorithm", algorithm, head.pos, schema.algorithm_names())
            if multi_objective(name):
                raise self.src.error(f"`{algorithm}` is a multi-objective algorithm; a search "
                                     "here maximizes one fitness", head.pos)
            return list(found.settable) + ["budget"]
        raise self.src.unknown("algorithm", algorithm, head.pos, schema.algorithm_names())

    def _config(self, search: _SearchBlock, choice: tuple[int, ...],
                top_values: Mapping[str, ast.Value], space: SpaceSpec, evaluator: EvaluatorSpec,
                index: int) -> SearchConfig:
        values = search.template.fill(choice)
        budget = self._budget(search, values, top_values)
        if search.algorithm.startswith(schema.PYGMO_PREFIX):
            settings = self._pygmo_settings(search, values, space, budget)
        else:
            params = schema.ALGORITHMS[search.algorithm]
            checked = self._check_block(params, values, search.block, f"search {search.algorithm}")
            settings = checked.values
            self._search_rules(search, checked, budget)
        return SearchConfig(label=search.label, algorithm=search.algorithm, settings=settings,
                            swept={}, budget=budget, space=space, evaluator=evaluator,
                            index=index)

    def _budget(self, search: _SearchBlock, values: Mapping[str, ast.Value],
                top_values: Mapping[str, ast.Value]) -> Budget:
        node = values.get("budget", top_values.get("budget"))
        if node is None:
            raise self.src.error("a budget is required: set `budget = 1500 evaluations` (or a "
                                 "time such as `2 hours`) at top level or in this search",
                                 search.block.kind.pos)
        return schema.BUDGET.convert(node, Context(self.src, "budget"))

    def _search_rules(self, search: _SearchBlock, checked: _Checked, budget: Budget) -> None:
        values, nodes = checked.values, checked.nodes
        if search.algorithm == "regularized_evolution":
            self._not_above(search, checked, "sample", "population")
        if search.algorithm == "dqn":
            self._not_above(search, checked, "batch_size", "replay")
            epsilon = values["epsilon"]
            if isinstance(epsilon, Call) and epsilon.args.get("steps") is None:
                if budget.unit != "evaluations":
                    pos = nodes["epsilon"].pos if "epsilon" in nodes else search.block.kind.pos
                    raise self.src.error("with a time budget, `decay` needs `steps`", pos)
                args = dict(epsilon.args)
                args["steps"] = int(budget.amount)
                values["epsilon"] = Call(epsilon.name, args)

    def _not_above(self, search: _SearchBlock, checked: _Checked, small: str, big: str) -> None:
        values, nodes = checked.values, checked.nodes
        if values[small] <= values[big]:
            return
        if small in nodes:
            raise self.src.error(f"`{small}` must not exceed `{big}` ({values[big]}), "
                                 f"got {values[small]}", nodes[small].pos)
        where = nodes[big].pos if big in nodes else search.block.kind.pos
        raise self.src.error(f"`{big}` ({values[big]}) is below the default `{small}` "
                             f"({values[small]}); set `{small}` too", where)

    def _pygmo_settings(self, search: _SearchBlock, values: Mapping[str, ast.Value],
                        space: SpaceSpec, budget: Budget) -> dict[str, Any]:
        from nasdsl.optimizers.pygmo_catalog import POPULATION_BOUND, pygmo_algorithms

        name = search.algorithm.removeprefix(schema.PYGMO_PREFIX)
        algo = pygmo_algorithms()[name]
        settings: dict[str, Any] = {}
        if algo.has_gen:
            settings["generations"] = self._convert(schema.PYGMO_GENERATIONS,
                                                    values.get("generations"), "generations")
        population = self._convert(schema.PYGMO_POPULATION, values.get("population"),
                                   "population")
        settings["population"] = population
        for key, node in values.items():
            if key in ("generations", "population", "budget"):
                continue
            value = plain(node, Context(self.src, key))
            self._pygmo_type(key, node, value, algo.keywords[key])
            settings[key] = value
        for key in POPULATION_BOUND:
            if key not in algo.keywords or key in settings:
                continue
            if isinstance(algo.keywords[key], int) and algo.keywords[key] > population:
                settings[key] = population
                self.notes.append(
                    f"search `{search.label}`: `{search.algorithm}` default `{key}` = "
                    f"{algo.keywords[key]} exceeds the population ({population}); "
                    f"using `{key}` = {population}")
        self._pygmo_builds(search, settings, space, budget)
        return settings

    def _pygmo_type(self, key: str, node: ast.Value, value: Any, default: Any) -> None:
        """Refuse a value whose kind differs from pygmo's default (when it states one)."""
        wanted = None
        if isinstance(default, bool):
            wanted = ("`true` or `false`", isinstance(value, bool))
        elif isinstance(default, int):
            wanted = ("an integer", isinstance(value, int) and not isinstance(value, bool))
        elif isinstance(default, float):
            wanted = ("a number", isinstance(value, (int, float)) and not isinstance(value, bool))
        elif isinstance(default, str):
            wanted = ("a string", isinstance(value, str))
        elif isinstance(default, list):
            wanted = ("a list", isinstance(value, list))
        if wanted is not None and not wanted[1]:
            raise self.src.error(f"`{key}` must be {wanted[0]}, got {show(node)}", node.pos)

    def _pygmo_builds(self, search: _SearchBlock, settings: Mapping[str, Any],
                      space: SpaceSpec, budget: Budget) -> None:
        """Ask pygmo itself whether it accepts these settings: the constructor, then one
        generation on a stand-in problem of the space's shape (pygmo checks some values,
        such as GACO's `ker` against the population, only when it evolves). Note when an
        evaluation budget and `generations` disagree."""
        from nasdsl.optimizers.pygmo_search import PygmoSearch
        from nasdsl.spaces import make_space

        try:
            space_object = make_space(space)
        except (TypeError, ValueError):
            return  # the run refuses the space itself, with its own reason
        try:
            built = PygmoSearch(space_object, search.algorithm, **settings)
        except (TypeError, ValueError) as exc:
            shown = ", ".join(f"{k} = {format_value(v)}" for k, v in settings.items()
                              if v is not None)
            raise self.src.error(f"`{search.algorithm}` refuses these settings ({shown}): "
                                 f"{exc}", search.block.head.pos) from None
        generations = settings.get("generations")
        if generations is None or budget.unit != "evaluations":
            return
        spend = built.population + generations * built.per_generation
        if budget.amount < spend:
            whole = max(int(budget.amount) - built.population, 0) // built.per_generation
            self.notes.append(
                f"search `{search.label}`: {generations} generations spend {spend:,} "
                f"evaluations ({built.population} initial + {built.per_generation} a "
                f"generation); the budget of {int(budget.amount):,} stops it after "
                f"{whole} whole generations")
        elif budget.amount > spend:
            self.notes.append(
                f"search `{search.label}`: {generations} generations spend {spend:,} "
                f"evaluations ({built.population} initial + {built.per_generation} a "
                f"generation), less than its budget of {int(budget.amount):,}")

    # --- final, run -------------------------------------------------------------------
    def _simple_block(self, block: ast.Block, params: Mapping[str, Param]) -> dict[str, Any]:
        self._no_label(block)
        if block.head is not None:
            raise self.src.error(f"`{block.kind.name}` takes no name, only `{{ … }}`",
                                 block.head.pos)
        template = collect(block.body or (), self.src, "", params, f"in `{block.kind.name}`", ())
        return self._check_block(params, template.values, block, block.kind.name).values

    def _final(self, block: ast.Block | None, evaluator: str) -> FinalSpec | None:
        if block is None:
            return None
        values = self._simple_block(block, schema.FINAL)
        if evaluator == "nasbench101":
            raise self.src.error("`final` retrains architectures, which needs a training "
                                 "evaluator (`evaluate keras`), not `nasbench101`",
                                 block.kind.pos)
        return FinalSpec(**values)

    def _execution(self, block: ast.Block | None) -> ExecutionSpec:
        if block is None:
            return ExecutionSpec()
        values = self._simple_block(block, schema.RUN)
        journal = values["journal"]
        return ExecutionSpec(workers=values["workers"], cluster=values["cluster"],
                             journal=Path(journal) if journal is not None else None)

    # --- swept values -----------------------------------------------------------------
    def _swept(self, dims: Sequence[Dimension], choice: Sequence[int],
               settings: Mapping[str, Any], prefix: str = "",
               budget: Budget | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for dim in dims:
            for name, path in zip(dim.names, dim.paths):
                if path == ("budget",) and budget is not None:
                    out[name] = budget
                else:
                    out[name] = _lookup(settings, path)
        return out


def _lookup(settings: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = settings[path[0]]
    for part in path[1:]:
        value = value.args[part]
    return value


def _with_swept(config: SearchConfig, swept: dict[str, Any]) -> SearchConfig:
    from dataclasses import replace

    return replace(config, swept=swept)
