"""Lark tree -> typed AST (`nasdsl.dsl.ast`): one method per grammar rule, nothing else.

Lexical checks that the grammar leaves open happen here (string escapes, `_` in numbers);
everything about meaning is the compiler's.
"""
from __future__ import annotations

from lark import Token, Transformer, v_args
from lark.exceptions import VisitError

from nasdsl.dsl import ast
from nasdsl.dsl.diagnostics import Source
from nasdsl.errors import DslError, DslErrors, Refusals


def _pos(item) -> ast.Pos:
    if isinstance(item, Token):
        return ast.Pos(item.line or 1, item.column or 1)
    return ast.Pos(item.meta.line, item.meta.column)


def _number_text(token: Token) -> str:
    return str(token).replace("_", "")


MAX_DIGITS = 100
"""Longest integer literal accepted: far beyond any count or seed, far below what would make
converting it slow (Python refuses 4,300 digits outright)."""


@v_args(meta=True)
class ToAst(Transformer):
    """Builds the AST bottom-up; `source` is used only to raise located errors."""

    def __init__(self, source: Source):
        super().__init__(visit_tokens=False)
        self.source = source
        self.errors = Refusals()

    # --- values ---------------------------------------------------------------------
    def int(self, meta, children):
        (tok,) = children
        return ast.Int(self._integer(tok), _pos(tok))

    def float(self, meta, children):
        (tok,) = children
        return ast.Float(self._float(tok), _pos(tok), str(tok))

    def string(self, meta, children):
        (tok,) = children
        return ast.Str(self._unescape(tok), _pos(tok))

    def true(self, meta, children):
        return ast.Bool(True, ast.Pos(meta.line, meta.column))

    def false(self, meta, children):
        return ast.Bool(False, ast.Pos(meta.line, meta.column))

    def name(self, meta, children):
        (tok,) = children
        return ast.Name(str(tok), _pos(tok))

    def list(self, meta, children):
        return ast.ListValue(tuple(c for c in children if c is not None),
                             ast.Pos(meta.line, meta.column))

    def tuple(self, meta, children):
        return ast.TupleValue(tuple(c for c in children if c is not None),
                              ast.Pos(meta.line, meta.column))

    def range(self, meta, children):
        lo, hi = children
        return ast.Range(self._integer(lo), self._integer(hi), _pos(lo))

    def quantity(self, meta, children):
        number, unit = children
        integral = number.type == "INT"
        amount = self._integer(number) if integral else self._float(number)
        return ast.Quantity(amount, str(unit), _pos(number), _pos(unit), integral)

    def _integer(self, tok: Token) -> int:
        text = _number_text(tok).lstrip("-+")
        if len(text) > MAX_DIGITS:
            raise self.source.error(f"an integer of {len(text):,} digits is too large (at most "
                                    f"{MAX_DIGITS} digits)", _pos(tok))
        return int(_number_text(tok))

    def _float(self, tok: Token) -> float:
        value = float(_number_text(tok))
        if value in (float("inf"), float("-inf")):
            raise self.source.error(f"`{tok}` is too large for a number", _pos(tok))
        return value

    def call(self, meta, children):
        name, *args = children
        return ast.CallValue(str(name), tuple(a for a in args if a is not None), _pos(name))

    def positional(self, meta, children):
        (value,) = children
        return ast.Arg(None, value, value.pos)

    def keyword(self, meta, children):
        key, value = children
        return ast.Arg(str(key), value, _pos(key))

    def call_sweep(self, meta, children):
        key, values = children
        return ast.Arg(str(key), values, _pos(key), swept=True)

    # --- statements -----------------------------------------------------------------
    def setting(self, meta, children):
        key, value = children
        return ast.Setting(ast.Key(str(key), _pos(key)), value)

    def sweep(self, meta, children):
        key, values = children
        return ast.Sweep(ast.Key(str(key), _pos(key)), values)

    def zipped(self, meta, children):
        *keys, values = children
        return ast.ZippedSweep(tuple(ast.Key(str(k), _pos(k)) for k in keys), values,
                               ast.Pos(meta.line, meta.column))

    def head(self, meta, children):
        (tok,) = children
        if tok.type == "STRING":
            return ast.Str(self._unescape(tok), _pos(tok))
        return ast.Name(str(tok), _pos(tok))

    def label(self, meta, children):
        (tok,) = children
        return ast.Key(str(tok), _pos(tok))

    def body(self, meta, children):
        return tuple(children)

    def block(self, meta, children):
        kind, *rest = children
        head = label = body = None
        for part in rest:
            if isinstance(part, (ast.Name, ast.Str)):
                head = part
            elif isinstance(part, ast.Key):
                label = part
            else:
                body = part
        return ast.Block(ast.Key(str(kind), _pos(kind)), head, label, body, _pos(kind))

    def start(self, meta, children):
        return tuple(children)

    # --- lexical checks -------------------------------------------------------------
    def _unescape(self, tok: Token) -> str:
        """Only `\\"` and `\\\\` are escapes; any other backslash pair is refused."""
        raw = str(tok)[1:-1]
        out: list[str] = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\":
                nxt = raw[i + 1] if i + 1 < len(raw) else ""
                if nxt not in ('"', "\\"):
                    column = (tok.column or 1) + 1 + i
                    self.errors.append(self.source.error(
                        f"unknown escape `\\{nxt}` in a string (only `\\\"` and `\\\\` are escapes)",
                        ast.Pos(tok.line or 1, column)))
                out.append(nxt)
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)


def to_ast(tree, source: Source) -> ast.Document:
    """Transform a parse tree of `source` into its Document."""
    transformer = ToAst(source)
    try:
        statements = transformer.transform(tree)
    except VisitError as exc:
        raise exc.orig_exc from None
    if transformer.errors:  # every bad escape of the file at once
        raise DslErrors.of(transformer.errors)
    return ast.Document(tuple(statements), source.file, source.text)
