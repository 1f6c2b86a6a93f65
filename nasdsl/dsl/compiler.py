"""AST -> `Plan`: check every block against the schema, expand sweeps, fill defaults.

Each search block becomes one `SearchConfig` per element of the Cartesian product of the
sweeps that apply to it: top-level sweeps, the space's, the evaluator's and its own.

Every refusal of the file is found in one pass: a statement, a setting, a block or a
configuration that is refused is recorded and left out, the rest is still checked, and the
file is refused at the end with all of them in line order (`DslErrors`). What depends on a
refused part is not checked (a search's settings without a valid space), and a setting that
looks missing because its statement was refused is not reported missing too.
"""
from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from nasdsl import registry
from nasdsl.component import Component
from nasdsl.dsl import ast, limits, schema
from nasdsl.dsl.diagnostics import Narrowed, Source
from nasdsl.dsl.sweeps import Dimension, Template, collect
from nasdsl.errors import DslError, DslErrors, Refusals
from nasdsl.objectives import objectives_of
from nasdsl.plan import (
    Budget, EvaluatorSpec, ExecutionSpec, FinalSpec, Plan, SearchConfig, SpaceSpec,
)
from nasdsl.settings import REQUIRED, Context, Param, Review, SettingError, plain, show
from nasdsl.settings.types import Located
from nasdsl.wording import article

ORIGIN = ast.Pos(1, 1)
_FAILED: Any = type("Failed", (), {"__repr__": lambda self: "failed"})()
"""What a part of the file compiles to when it was refused (its errors are recorded)."""
_SILENT = DslError("left out: it depends on a statement that was refused")
"""Refuses a part of the file without a message of its own (its cause is reported)."""


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
    component: Component
    params: dict[str, Param]


@dataclass
class _Component:
    """A space or evaluator block's component: its name, record and declared settings (a
    Python evaluator's `params` are its keyword arguments, or None: any keyword,
    unchecked)."""

    name: str
    component: Component
    params: dict[str, Param] | None


@dataclass
class _Blocks:
    header: ast.Block | None = None
    space: ast.Block | None = None
    evaluate: ast.Block | None = None
    searches: list[ast.Block] = field(default_factory=list)
    final: ast.Block | None = None
    run: ast.Block | None = None
    dropped: bool = False
    """A block of an unknown kind was refused (it may be the one that looks missing)."""


def compile_document(doc: ast.Document, default_name: str, source_path: Path | None) -> Plan:
    """The Plan of a parsed file; raises a DslError (a `DslErrors` when there are several)
    naming every problem of the file."""
    return _Compiler(doc, Source(doc.file, doc.text)).compile(default_name, source_path)


def refusals_of(doc: ast.Document, default_name: str, source_path: Path | None,
                set_aside: frozenset[int]) -> Refusals:
    """The refusals of what still parsed of a file with syntax errors, which gives no plan:
    `set_aside` holds the lines taken out (their refusals are reported already, and what
    they set may only look missing)."""
    compiler = _Compiler(doc, Source(doc.file, doc.text), set_aside)
    try:
        compiler.compile(default_name, source_path)
    except DslError:
        pass  # every refusal is in `compiler.errors`
    return compiler.errors


class _Compiler:
    def __init__(self, doc: ast.Document, source: Source,
                 set_aside: frozenset[int] = frozenset()):
        self.doc = doc
        self.src = source
        self.notes: list[str] = []
        self.errors = Refusals(ignored=set_aside)
        self.partial = bool(set_aside)
        """Statements were set aside: a setting or block that looks missing may be there."""

    def _try(self, fn: Any, *args: Any) -> Any:
        """`fn(*args)`, or `_FAILED` with its refusals recorded: a part of the file that is
        refused on its own while the rest is still checked."""
        try:
            return fn(*args)
        except DslError as e:
            if e is not _SILENT:
                self.errors.append(e)
            return _FAILED

    # --- whole file -------------------------------------------------------------------
    def compile(self, default_name: str, source_path: Path | None) -> Plan:
        top_statements = [s for s in self.doc.statements if not isinstance(s, ast.Block)]
        blocks = self._sort_blocks([s for s in self.doc.statements if isinstance(s, ast.Block)])
        top = self._top_template(top_statements)
        name = self._try(self._experiment_name, blocks.header, default_name)
        if name is _FAILED:
            name = default_name

        if not (blocks.dropped or self.partial):  # a refused block may be the one missing
            if blocks.space is None:
                self.errors.append(self.src.error(
                    "a `space cell { … }` or `space global { … }` block is required", ORIGIN))
            if blocks.evaluate is None:
                self.errors.append(self.src.error(
                    "an `evaluate` block is required (`evaluate nasbench101 { … }`, "
                    "`evaluate keras { … }` or `evaluate \"package.module:name\"`)", ORIGIN))
            if not blocks.searches:
                self.errors.append(self.src.error(
                    "at least one `search` block is required (e.g. `search random`)", ORIGIN))

        fixed = top.fill([0] * len(top.dims))
        seed = self._try(self._convert, schema.TOP_LEVEL["seed"], fixed.get("seed"), "seed")
        repeat = self._try(self._convert, schema.TOP_LEVEL["repeat"], fixed.get("repeat"),
                           "repeat")
        output = self._try(self._convert, schema.TOP_LEVEL["output"], fixed.get("output"),
                           "output")

        spaced = self._try(self._space, blocks.space) if blocks.space else _FAILED
        evaluated = self._try(self._evaluator, blocks.evaluate) if blocks.evaluate else _FAILED
        searches = self._searches(blocks.searches)
        evaluator = evaluated[0] if evaluated is not _FAILED else None
        final = self._try(self._final, blocks.final, evaluator)
        execution = self._try(self._execution, blocks.run)

        configs: list[SearchConfig] = []
        if spaced is not _FAILED and evaluated is not _FAILED and self._try(
                self._check_configuration_count, top, spaced[1], evaluated[2],
                searches) is not _FAILED:
            configs = self._configs(blocks, top, spaced, evaluated, searches)
            if repeat is not _FAILED:
                self._try(self._check_totals, top, configs, repeat)
        if self.errors or _FAILED in (seed, repeat, output, final, execution):
            raise DslErrors.of(self.errors or [self.src.error("the file was refused", ORIGIN)])

        return Plan(
            experiment=name,
            source=source_path,
            seed=seed,
            repeat=repeat,
            output=Path(output if output is not None
                        else f"results/{schema.output_folder_name(name)}"),
            configs=tuple(configs),
            execution=execution,
            final=final,
            notes=tuple(dict.fromkeys(self.notes)),
        )

    def _configs(self, blocks: "_Blocks", top: Template, spaced: tuple, evaluated: tuple,
                 searches: list["_SearchBlock"]) -> list[SearchConfig]:
        """Every configuration; one that is refused is recorded and left out."""
        space, space_tpl = spaced
        evaluator, target, eval_tpl = evaluated
        configs: list[SearchConfig] = []
        space_cache: dict[tuple[int, ...], Any] = {}
        eval_cache: dict[tuple[tuple[int, ...] | None, tuple[int, ...]], Any] = {}
        search_cache: dict[tuple, Any] = {}
        refused: set[tuple[int, bool]] = set()
        for search in searches:
            own_budget = search.template.has("budget")
            top_dims = [d for d in top.dims if not (own_budget and "budget" in d.names)]
            groups = [top_dims, space_tpl.dims, eval_tpl.dims, search.template.dims]
            owners = [schema.TOP_LEVEL, space.params, evaluator.params, search.params]
            sources = [self.src, self._space_source(evaluator), self.src, self.src]
            ranges = [self._usable_choices(d, params, src)
                      for g, params, src in zip(groups, owners, sources) for d in g]
            for combo in itertools.product(*ranges):
                cuts = list(itertools.accumulate(len(g) for g in groups))
                top_c = combo[:cuts[0]]
                space_c = combo[cuts[0]:cuts[1]]
                eval_c = combo[cuts[1]:cuts[2]]
                search_c = combo[cuts[2]:]
                if space_c not in space_cache:
                    space_cache[space_c] = self._try(self._space_spec, blocks.space, space,
                                                     space_tpl, space_c,
                                                     self._space_source(evaluator))
                eval_spec = _FAILED
                space_spec = None
                if space_cache[space_c] is not _FAILED:
                    space_spec, space_checked = space_cache[space_c]
                    if (space_c, eval_c) not in eval_cache:
                        eval_cache[space_c, eval_c] = self._try(
                            self._evaluator_spec, blocks.evaluate, evaluator, target, eval_tpl,
                            eval_c, blocks.space, space_spec, space_checked)
                    eval_spec = eval_cache[space_c, eval_c]
                elif (None, eval_c) not in eval_cache and evaluator.params is not None:
                    # its own settings still checked; the checks against the space are not
                    eval_cache[None, eval_c] = self._try(
                        self._check_block, evaluator.params, eval_tpl.fill(eval_c),
                        blocks.evaluate, f"evaluate {evaluator.name}", eval_tpl.dropped)
                top_values = self._fill_top(top, top_dims, top_c)
                aims = len(objectives_of(eval_spec.settings)) if eval_spec is not _FAILED \
                    else 1
                if eval_spec is not _FAILED and not self._aims_fit(search, aims, refused):
                    continue
                key = (id(search), search_c, top_c, space_c, eval_c, aims)
                if key not in search_cache:
                    search_cache[key] = self._try(
                        self._search_settings, search, search_c, top_values, space_spec,
                        None if eval_spec is _FAILED else eval_spec, evaluator, aims)
                if eval_spec is _FAILED or search_cache[key] is _FAILED:
                    continue
                budget, settings = search_cache[key]
                config = SearchConfig(label=search.label, algorithm=search.algorithm,
                                      settings=settings, swept={}, budget=budget,
                                      space=space_spec, evaluator=eval_spec,
                                      index=len(configs), component=search.component)
                swept = {}
                swept.update(self._swept(top_dims, top_c, {"budget": config.budget}))
                swept.update(self._swept(space_tpl.dims, space_c, space_spec.settings, "space."))
                swept.update(self._swept(eval_tpl.dims, eval_c, eval_spec.settings, "evaluate."))
                swept.update(self._swept(search.template.dims, search_c, config.settings, "",
                                         budget=config.budget))
                configs.append(_with_swept(config, swept))
        return configs

    def _aims_fit(self, search: "_SearchBlock", aims: int,
                  refused: set[tuple[int, bool]]) -> bool:
        """Whether the search takes what the evaluator asks: one fitness, or `objectives`
        (a multi-objective search). A mismatch is refused once, at the search's name."""
        several = aims > 1
        component = search.component
        fits = component.declared("multi_objective") if several else \
            component.declared("single_objective")
        if fits:
            return True
        if (id(search), several) not in refused:
            refused.add((id(search), several))
            where = search.block.head.pos if search.block.head is not None \
                else search.block.kind.pos
            if several:
                self.errors.append(self.src.error(
                    f"search `{search.algorithm}` maximizes one fitness, so it cannot take the "
                    "evaluate block's `objectives`; use a multi-objective search (`nasdsl list "
                    "algorithms` marks them) or `fitness = …`", where,
                    accepted=multi_objective_names()))
            else:
                self.errors.append(self.src.error(
                    f"search `{search.algorithm}` is multi-objective: it needs `objectives = "
                    "[maximize(…), minimize(…)]` in the evaluate block instead of `fitness`",
                    where))
        return False

    def _space_source(self, evaluator: _Component) -> Located:
        """What the space's settings are checked with: an unknown op offers only the ops
        the evaluator can score, when it says (`ops`)."""
        ops = evaluator.component.ops
        return Narrowed(self.src, "op", frozenset(ops)) if ops else self.src

    def _usable_choices(self, dim: Dimension, params: Mapping[str, Param] | None,
                        src: Located) -> list[int]:
        """The choices of a sweep whose values convert on their own; each refused value is
        recorded once here, and the configurations holding it are never built (a sweep of
        100,000 bad values costs 100,000 conversions, not 100,000 configurations)."""
        usable = []
        for index, values in enumerate(dim.choices):
            refused = False
            for path, node in zip(dim.paths, values):
                param = params.get(path[0]) if params is not None and len(path) == 1 else None
                if param is None:
                    continue
                try:
                    param.type.convert(node, Context(src, path[0]))
                except DslError as e:
                    self.errors.append(e)
                    refused = True
            if not refused:
                usable.append(index)
        return usable or [0]  # the block's other settings are still checked, once

    def _check_configuration_count(self, top: Template, space_tpl: Template,
                                   eval_tpl: Template, searches: Sequence[Any]) -> None:
        """Refuse sweeps that multiply beyond `MAX_CONFIGURATIONS`, before expanding them."""
        total, widest = 0, None
        for search in searches:
            own_budget = search.template.has("budget")
            dims = [d for d in top.dims if not (own_budget and "budget" in d.names)]
            dims += [*space_tpl.dims, *eval_tpl.dims, *search.template.dims]
            count = math.prod(len(d.choices) for d in dims)
            total += count
            if dims and (widest is None or count > widest[0]):
                widest = (count, dims[0].pos)
        if total > limits.MAX_CONFIGURATIONS:
            raise self.src.error(
                f"the sweeps make {total:,} search configurations; nasdsl runs at most "
                f"{limits.MAX_CONFIGURATIONS:,} in one file", widest[1] if widest else ORIGIN)

    def _check_totals(self, top: Template, configs: Sequence[SearchConfig], repeat: int) -> None:
        """Refuse a plan of more runs or evaluations than `nasdsl.dsl.limits` allows."""
        runs = len(configs) * repeat
        where = top.keys["repeat"].pos if "repeat" in top.keys else ORIGIN
        if runs > limits.MAX_RUNS:
            raise self.src.error(f"the plan has {runs:,} runs ({len(configs):,} configurations "
                                 f"× repeat {repeat:,}); nasdsl runs at most "
                                 f"{limits.MAX_RUNS:,}", where)
        evaluations = repeat * sum(int(c.budget.amount) for c in configs
                                   if c.budget.unit == "evaluations")
        if evaluations > limits.MAX_EVALUATIONS:
            where = top.keys["budget"].pos if "budget" in top.keys else where
            raise self.src.error(f"the plan asks for {evaluations:,} evaluations; nasdsl runs "
                                 f"at most {limits.MAX_EVALUATIONS:,} (its journal would need "
                                 f"about {evaluations * 100 / 1e12:,.0f} TB)", where)
        epochs = repeat * sum(int(c.budget.amount) for c in configs if c.budget.unit == "epochs")
        if epochs > limits.MAX_EVALUATIONS:  # every evaluation trains an epoch at least
            where = top.keys["budget"].pos if "budget" in top.keys else where
            raise self.src.error(f"the plan asks for {epochs:,} epochs of training, as many "
                                 f"evaluations at the most; nasdsl runs at most "
                                 f"{limits.MAX_EVALUATIONS:,} evaluations", where)

    def _sort_blocks(self, blocks: Sequence[ast.Block]) -> _Blocks:
        out = _Blocks()
        for block in blocks:
            kind = block.kind.name
            if kind not in schema.BLOCK_KINDS:
                self.errors.append(self.src.unknown("block", kind, block.kind.pos,
                                                    schema.BLOCK_KINDS))
                out.dropped = True
                continue
            if kind == "search":
                out.searches.append(block)
                continue
            slot = "header" if kind == "experiment" else kind
            previous = getattr(out, slot)
            if previous is not None:
                word = "an `experiment` header" if kind == "experiment" else \
                    f"{article(kind)} `{kind}` block"
                self.errors.append(self.src.error(
                    f"{word} is given twice (first on line {previous.pos.line}); a file "
                    "declares one", block.kind.pos))
                continue
            setattr(out, slot, block)
        return out

    def _top_template(self, statements: Sequence[ast.Statement]) -> Template:
        kept = []
        for stmt in statements:
            keys = stmt.keys if isinstance(stmt, ast.ZippedSweep) else (stmt.key,)
            header = next((k for k in keys if k.name == "experiment"), None)
            if header is not None:
                self.errors.append(self.src.error(
                    "write the header as `experiment NAME` (no `=`)", header.pos))
                continue
            kept.append(stmt)
        return collect(kept, self.src, "", schema.TOP_LEVEL, "at the top level",
                       schema.TOP_LEVEL_SWEEPABLE, errors=self.errors)

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
                     block: ast.Block, what: str, dropped: bool = False,
                     src: Located | None = None) -> _Checked:
        """Every setting converted, each refusal recorded (`dropped`: a statement of the
        block was refused, so a required setting may only look missing; `src`: what the
        values are checked with, the file's source unless narrowed)."""
        out: dict[str, Any] = {}
        errors: list[DslError] = []
        for name, param in params.items():
            if name in values:
                try:
                    out[name] = param.type.convert(values[name], Context(src or self.src, name))
                except DslError as e:
                    errors.append(e)
            elif param.default is REQUIRED:
                if not (dropped or self.partial):
                    errors.append(self.src.error(f"`{what}` needs `{name}`", block.kind.pos))
                else:
                    errors.append(_SILENT)
            elif param.fill:
                out[name] = copy.deepcopy(param.default)
        if errors:
            shown = [e for e in errors if e is not _SILENT]
            raise DslErrors.of(shown) if shown else _SILENT
        return _Checked(out, dict(values))

    def _validate(self, component: Component, review: Review, block: ast.Block,
                  nodes: Mapping[str, ast.Value], space_block: ast.Block | None = None,
                  space_nodes: Mapping[str, ast.Value] | None = None) -> None:
        """The component's own cross-checks; a refusal points at the setting it names."""
        try:
            component.validate(review)
        except SettingError as e:
            if e.block == "space" and space_block is not None:
                block, nodes = space_block, space_nodes or {}
            raise self._located(e, block, nodes) from None
        self.notes.extend(review.notes)

    def _located(self, e: SettingError, block: ast.Block,
                 nodes: Mapping[str, ast.Value]) -> DslError:
        pos = None
        if e.key is not None and e.key in nodes:
            node = nodes[e.key]
            pos = node.pos
            if e.item is not None and isinstance(node, ast.ListValue):
                pos = next((i.pos for i in node.items if getattr(i, "value", None) == e.item),
                           pos)
        elif e.head and block.head is not None:
            pos = block.head.pos
        return self.src.error(e.message, pos or block.kind.pos, accepted=e.accepted)

    def _component(self, kind: str, name: str, pos: ast.Pos, context: str = "") -> Component:
        """The registry's record of a name in the file, or an error at the name."""
        try:
            return registry.resolve(kind, name)
        except registry.ComponentError as e:
            if e.unknown:
                raise self.src.unknown(registry.WORDS[kind], name, pos, e.accepted,
                                       context) from None
            where = (" (modules are found in the experiment file's folder and among the "
                     "installed packages)") if ":" in name else ""
            raise self.src.error(e.message + where, pos) from None

    def _no_label(self, block: ast.Block) -> None:
        if block.label is not None:
            raise self.src.error(f"only a `search` takes a label (`as {block.label.name}`)",
                                 block.label.pos)

    # --- space ------------------------------------------------------------------------
    def _space(self, block: ast.Block) -> tuple[_Component, Template]:
        self._no_label(block)
        if not isinstance(block.head, ast.Name):
            where = block.head.pos if block.head is not None else block.kind.pos
            raise self.src.error("a space is `space cell { … }` or `space global { … }`", where,
                                 accepted=tuple(registry.usable("space")))
        kind = block.head.value
        component = self._component("space", kind, block.head.pos)
        params = component.parameters
        assert params is not None
        template = collect(block.body or (), self.src, "space.", list(params),
                           f"in `space {kind}`", errors=self.errors)
        return _Component(kind, component, params), template

    def _space_spec(self, block: ast.Block, space: _Component, template: Template,
                    choice: tuple[int, ...], src: Located) -> tuple[SpaceSpec, _Checked]:
        assert space.params is not None
        checked = self._check_block(space.params, template.fill(choice), block,
                                    f"space {space.name}", template.dropped, src)
        review = Review(space.name, checked.values, frozenset(checked.nodes))
        self._validate(space.component, review, block, checked.nodes)
        return SpaceSpec(space.name, review.values, space.component), checked

    # --- evaluator --------------------------------------------------------------------
    def _evaluator(self, block: ast.Block) -> tuple[_Component, str | None, Template]:
        self._no_label(block)
        if block.head is None:
            raise self.src.error("say what evaluates: `evaluate nasbench101`, `evaluate keras` "
                                 "or `evaluate \"package.module:name\"`", block.kind.pos)
        if isinstance(block.head, ast.Str):
            target = block.head.value
            if not registry.TARGET.fullmatch(target):
                raise self.src.error(f"a Python evaluator is named \"package.module:name\", "
                                     f"got {show(block.head)}", block.head.pos)
            # refused here, not after the run has started
            component = self._component("evaluator", target, block.head.pos)
            params = component.parameters
            return _Component(f'"{target}"', component, params), target, collect(
                block.body or (), self.src, "evaluate.", None if params is None else
                list(params), f'in `evaluate "{target}"`', errors=self.errors)
        kind = block.head.value
        component = self._component("evaluator", kind, block.head.pos,
                                    "(or a \"package.module:name\" string)")
        params = component.parameters
        assert params is not None
        return _Component(kind, component, params), None, collect(
            block.body or (), self.src, "evaluate.", list(params), f"in `evaluate {kind}`",
            errors=self.errors)

    def _evaluator_spec(self, block: ast.Block, evaluator: _Component, target: str | None,
                        template: Template, choice: tuple[int, ...], space_block: ast.Block,
                        space: SpaceSpec, space_checked: _Checked) -> EvaluatorSpec:
        values = template.fill(choice)
        if target is not None:  # a Python target: only what the file writes is passed on
            if evaluator.params is None:
                settings = {k: plain(v, Context(self.src, k)) for k, v in values.items()}
            else:
                checked = self._check_block(evaluator.params, values, block,
                                            f"evaluate {evaluator.name}", template.dropped)
                settings = {k: checked.values[k] for k in values}
            return EvaluatorSpec("python", settings, target, component=evaluator.component)
        try:
            checked = self._check_block(evaluator.params, values, block,
                                        f"evaluate {evaluator.name}", template.dropped)
        except DslError:
            self._space_checks(evaluator, values, space, space_block, space_checked)
            raise
        review = Review(evaluator.name, checked.values, frozenset(checked.nodes), space=space)
        self._validate(evaluator.component, review, block, checked.nodes, space_block,
                       space_checked.nodes)
        return EvaluatorSpec(evaluator.name, review.values, written=frozenset(checked.nodes),
                             component=evaluator.component)

    def _space_checks(self, evaluator: _Component, values: Mapping[str, ast.Value],
                      space: SpaceSpec, space_block: ast.Block, space_checked: _Checked) -> None:
        """The evaluator's checks of the space, while some of its own settings are refused:
        those settings take their defaults, and only refusals about the space block count
        (they do not depend on the refused ones)."""
        assert evaluator.params is not None
        settings: dict[str, Any] = {}
        for name, param in evaluator.params.items():
            try:
                settings[name] = param.type.convert(values[name], Context(self.src, name))
            except (KeyError, DslError):
                if param.default is REQUIRED:
                    return
                settings[name] = copy.deepcopy(param.default)
        review = Review(evaluator.name, settings, frozenset(), space=space)
        try:
            evaluator.component.validate(review)
        except SettingError as e:
            if e.block == "space":
                self.errors.append(self._located(e, space_block, space_checked.nodes))

    # --- searches ---------------------------------------------------------------------
    def _searches(self, blocks: Sequence[ast.Block]) -> list[_SearchBlock]:
        """Each search block read; a refused one is recorded and left out."""
        out: list[_SearchBlock] = []
        labels: dict[str, ast.Block] = {}
        for block in blocks:
            search = self._try(self._search, block, labels)
            if search is not _FAILED:
                out.append(search)
        return out

    def _search(self, block: ast.Block, labels: dict[str, ast.Block]) -> _SearchBlock:
        if block.head is None:
            raise self.src.error("a search names its algorithm: `search ALGORITHM` or "
                                 "`search \"package.module:Class\"`", block.kind.pos,
                                 accepted=registry.usable("optimizer"))
        algorithm = block.head.value
        if isinstance(block.head, ast.Str) and not registry.TARGET.fullmatch(algorithm):
            raise self.src.error(f"a Python search is named \"package.module:Class\", "
                                 f"got {show(block.head)}", block.head.pos)
        component = self._component("optimizer", algorithm, block.head.pos)
        params = component.parameters
        assert params is not None
        allowed = list(params) + ["budget"]
        default_label = algorithm.rpartition(":")[2] if ":" in algorithm else algorithm
        label = block.label.name if block.label else default_label
        if label in labels:
            pos = block.label.pos if block.label else block.head.pos
            raise self.src.error(f"two searches are labelled `{label}` (first on line "
                                 f"{labels[label].pos.line}); give one `as LABEL`", pos)
        labels[label] = block
        self._reserved_keys(block, component.reserved)
        if not params and not component.built_in:
            self._no_settings(block, algorithm)
        template = collect(block.body or (), self.src, "", allowed,
                           f"in `search {algorithm}`", errors=self.errors)
        return _SearchBlock(block, algorithm, label, template, component, params)

    def _no_settings(self, block: ast.Block, algorithm: str) -> None:
        """A user's class that declares no settings and whose constructor names none: each
        key the block sets (but `budget`) is refused with how to declare it."""
        shown = f'"{algorithm}"' if ":" in algorithm else algorithm
        for stmt in block.body or ():
            keys = stmt.keys if isinstance(stmt, ast.ZippedSweep) else (stmt.key,)
            value = show(stmt.value) if isinstance(stmt, ast.Setting) else "…"
            for key in keys:
                if key.name != "budget":
                    self.errors.append(self.src.error(
                        f"`search {shown}` takes no settings, so `{key.name}` is refused: "
                        f"name it in the class's constructor (`def __init__(self, space, "
                        f"{key.name}={value})`) or declare it in `parameters` (see "
                        "`nasdsl list algorithms` for the built-in ones)", key.pos))

    def _reserved_keys(self, block: ast.Block,
                       hints: Mapping[str, tuple[str, str | None]]) -> None:
        """Keys a component spells differently or sets itself (pygmo's `gen`, `seed`)."""
        if not hints:
            return
        for stmt in block.body or ():
            keys = stmt.keys if isinstance(stmt, ast.ZippedSweep) else (stmt.key,)
            for key in keys:
                if key.name in hints:
                    message, suggestion = hints[key.name]
                    raise self.src.error(message, key.pos, suggestion=suggestion)

    def _search_settings(self, search: _SearchBlock, choice: tuple[int, ...],
                         top_values: Mapping[str, ast.Value], space: SpaceSpec | None,
                         evaluator_spec: EvaluatorSpec | None = None,
                         evaluator: "_Component | None" = None,
                         aims: int = 1) -> tuple[Budget, dict[str, Any]]:
        """A search's budget and settings for one configuration: converted on their own, and
        cross-checked (which may need the space) only when the space is valid (`space`)."""
        values = search.template.fill(choice)
        budget = self._try(self._budget, search, values, top_values)
        checked = self._try(self._check_block, search.params, values, search.block,
                            f"search {search.algorithm}", search.template.dropped)
        if budget is not _FAILED:
            self._try(self._fidelity_checks, search, values, top_values, budget, evaluator)
        if budget is _FAILED or checked is _FAILED or space is None:
            raise _SILENT  # each refusal is recorded already
        review = Review(search.algorithm, checked.values,
                        frozenset(k for k in checked.nodes if k != "budget"),
                        label=search.label, budget=budget, space=space,
                        evaluator=evaluator_spec, objectives=aims)
        self._validate(search.component, review, search.block, checked.nodes)
        return budget, review.values

    def _fidelity_checks(self, search: _SearchBlock, values: Mapping[str, ast.Value],
                         top_values: Mapping[str, ast.Value], budget: Budget,
                         evaluator: "_Component | None") -> None:
        """An `epochs` budget only for a multi-fidelity search, and a multi-fidelity search
        only with an evaluator that serves fidelities."""
        multi = bool(search.component.declared("multi_fidelity"))
        if budget.unit == "epochs" and not multi:
            node = values.get("budget", top_values.get("budget"))
            raise self.src.error(
                f"an epochs budget needs a multi-fidelity search (successive_halving, "
                f"hyperband, asha); `search {search.algorithm}` spends evaluations or time",
                getattr(node, "unit_pos", None) or search.block.kind.pos)
        if multi and evaluator is not None and not evaluator.component.target \
                and evaluator.component.hook("fidelities") is None:
            raise self.src.error(
                f"`search {search.algorithm}` trains candidates at several fidelities (epochs); "
                f"`evaluate {evaluator.name}` has none: use `evaluate keras`, or `evaluate "
                "nasbench101` with a store of several epochs", search.block.kind.pos)

    def _budget(self, search: _SearchBlock, values: Mapping[str, ast.Value],
                top_values: Mapping[str, ast.Value]) -> Budget:
        node = values.get("budget", top_values.get("budget"))
        if node is None and self.partial:
            raise _SILENT
        if node is None:
            raise self.src.error("a budget is required: set `budget = 1500 evaluations` (or a "
                                 "time such as `2 hours`) at top level or in this search",
                                 search.block.kind.pos)
        return schema.BUDGET.convert(node, Context(self.src, "budget"))

    # --- final, run -------------------------------------------------------------------
    def _simple_block(self, block: ast.Block, params: Mapping[str, Param]) -> dict[str, Any]:
        self._no_label(block)
        if block.head is not None:
            raise self.src.error(f"`{block.kind.name}` takes no name, only `{{ … }}`",
                                 block.head.pos)
        template = collect(block.body or (), self.src, "", params, f"in `{block.kind.name}`", (),
                           errors=self.errors)
        return self._check_block(params, template.values, block, block.kind.name,
                                 template.dropped).values

    def _final(self, block: ast.Block | None, evaluator: _Component | None) -> FinalSpec | None:
        if block is None:
            return None
        values = self._simple_block(block, schema.FINAL)
        if evaluator is not None and not evaluator.component.target and \
                not evaluator.component.expensive:
            raise self.src.error("`final` retrains architectures, which needs a training "
                                 f"evaluator (`evaluate keras`), not `{evaluator.name}`",
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


def multi_objective_names() -> list[str]:
    """The searches that take `objectives` here (`nasdsl list algorithms` marks them)."""
    return [component.name for component in registry.listed("optimizer")
            if component.declared("multi_objective")]


def _lookup(settings: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = settings[path[0]]
    for part in path[1:]:
        value = value.args[part]
    return value


def _with_swept(config: SearchConfig, swept: dict[str, Any]) -> SearchConfig:
    from dataclasses import replace

    return replace(config, swept=swept)
