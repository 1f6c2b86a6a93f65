"""Text -> Lark tree, with every Lark failure turned into a located `DslError`.

The LALR parser is built once per process (lazily, on first use) from `nas.lark` of the
package `nasdsl.grammar` (the repository's `grammars/` folder); building it is the slow part
of parsing a small file.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from importlib import resources
from typing import Iterator, Sequence

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nasdsl.dsl.ast import Pos
from nasdsl.dsl.diagnostics import Source, describe_token, expected_words
from nasdsl.errors import MAX_ERRORS, DslError, DslErrors

def grammar_text() -> str:
    """The text of the language's grammar, as shipped in the package."""
    return resources.files("nasdsl.grammar").joinpath("nas.lark").read_text(encoding="utf-8")


MAX_DEPTH = 64
"""Deepest nesting of brackets accepted; deeper input is refused, not recursed into."""


class _BracketNewlines:
    """Post-lexer: newlines inside () and [] carry no meaning, so drop them there.

    Also refuses absurd nesting early, so later recursive stages stay shallow.
    """

    always_accept = ("_NL",)

    def __init__(self) -> None:
        self.source: Source | None = None

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        depth = 0
        for token in stream:
            kind = token.type
            if kind in ("LPAR", "LSQB"):
                depth += 1
                if depth > MAX_DEPTH and self.source is not None:
                    raise self.source.error(
                        f"nesting deeper than {MAX_DEPTH} brackets", _token_pos(token))
            elif kind in ("RPAR", "RSQB"):
                depth = max(depth - 1, 0)
            elif kind == "_NL" and depth > 0:
                continue
            yield token


@functools.lru_cache(maxsize=None)
def _parser(kind: str = "lalr") -> Lark:
    options = dict(parser=kind, propagate_positions=True, maybe_placeholders=False)
    if kind == "lalr":
        return Lark(grammar_text(), postlex=_BracketNewlines(),
                    **options)
    # Earley (for benchmarks): no post-lexer, so newlines inside brackets are not dropped.
    return Lark(grammar_text(), lexer="dynamic", **options)


def grammar_parser(kind: str = "lalr") -> Lark:
    """The cached parser ("lalr", the product; "earley", a baseline for benchmarks)."""
    return _parser(kind)


@dataclass(frozen=True)
class Recovery:
    """The syntax errors of a file, found in one pass, and what of the file still parses.

    `tree` parses the text with each line at fault set aside (`set_aside`: only its braces
    kept, so blocks still open and close) and each block that is never closed closed where
    the next statement starts; None when the search stopped before the end of the file, so
    its meaning cannot be checked."""

    errors: tuple[DslError, ...]
    tree: Tree | None
    set_aside: frozenset[int]


def parse_tree(source: Source) -> Tree:
    """Parse the whole text; a failure becomes a DslError pointing at the bad token, or a
    `DslErrors` with every syntax error found (see `parse_or_recover`)."""
    tree, recovery = parse_or_recover(source)
    if recovery is not None:
        raise DslErrors.of(recovery.errors) from None
    return tree


def parse_or_recover(source: Source) -> tuple[Tree | None, Recovery | None]:
    """(the tree, None) for text that parses, else (None, what recovery found)."""
    parser = _parser("lalr")
    postlex: _BracketNewlines = parser.options.postlex
    postlex.source = source
    try:
        return parser.parse(source.text), None
    except UnexpectedInput as exc:
        first = _translate(exc, source, parser)
    except RecursionError:
        raise source.error("the file nests too deeply to read", Pos(1, 1)) from None
    return None, _recover(source, parser, first)


def _recover(source: Source, parser: Lark, first: DslError) -> Recovery:
    """Syntax errors after `first`, each on a later line: a block that is never closed is
    closed before the line at fault, else that line is set aside; then the text is parsed
    again, until it parses. An error on an earlier line, on the same line once it is set
    aside, or at the end of the file with every block closed may be a consequence of the
    recovery itself, so the search stops there instead of reporting it."""
    lines = source.text.split("\n")
    found: list[DslError] = [first]
    aside: set[int] = set()
    closed: set[int] = set()
    last = first
    while len(found) < MAX_ERRORS:
        number = last.line
        at_end = last.message.startswith("unexpected end of file")
        if not 1 <= number <= len(lines):
            break
        if number not in closed and _unclosed_before(lines, len(lines) + 1 if at_end
                                                     else number):
            closed.add(number)
            _close_after(lines, len(lines) if at_end else number - 1)
        elif number in aside or at_end:
            break
        else:
            aside.add(number)
            lines[number - 1] = _braces_only(lines[number - 1])
        text = "\n".join(lines)  # lines after the ones changed are unchanged
        try:
            tree = parser.parse(text)
            return Recovery(tuple(found), tree, frozenset(aside))
        except UnexpectedInput as exc:
            error = _translate(exc, Source(source.file, text), parser)
        except (DslError, RecursionError):
            break
        if error.line < number or (error.message.startswith("unexpected end of file")
                                   and "has no `}`" not in error.message):
            break
        if error.line > found[-1].line:
            found.append(replace(error, source_line=source.line(error.line)))
        last = error
    return Recovery(tuple(found), None, frozenset(aside))


def _unclosed(lines: Sequence[str]) -> list[int]:
    """The lines of the blocks that are opened and never closed in the whole text."""
    opened: list[int] = []
    for at, line in enumerate(lines, start=1):
        for ch in _braces(line):
            if ch == "{":
                opened.append(at)
            elif opened:
                opened.pop()
    return opened


def _unclosed_before(lines: Sequence[str], number: int) -> bool:
    """Whether a block opened before line `number` is never closed in the whole text."""
    return any(at < number for at in _unclosed(lines))


def _close_after(lines: list[str], number: int) -> None:
    """Close the innermost open block at the end of line `number` (before its comment), so
    the columns of what the line holds stay where they were."""
    line = lines[number - 1]
    code = len(line)
    in_string = False
    for index, ch in enumerate(line):
        if ch == '"':
            in_string = not in_string
        elif ch == "#" and not in_string:
            code = index
            break
    lines[number - 1] = line[:code] + "; }" + line[code:]


def _braces(line: str) -> list[str]:
    """The `{` and `}` of a line that open and close blocks (not in strings or comments)."""
    found: list[str] = []
    in_string = False
    for ch in line:
        if ch == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif ch == "#":
            break
        elif ch in "{}":
            found.append(ch)
    return found


def _braces_only(line: str) -> str:
    """A line that parses as the blocks it opens and closes (`_ {`, `}`), nothing else."""
    return "; ".join("_ {" if ch == "{" else "}" for ch in _braces(line))


def _literal_names(parser: Lark) -> dict[str, str]:
    out = {}
    for term in parser.terminals:
        if type(term.pattern).__name__ == "PatternStr":
            out[term.name] = term.pattern.value
    return out


def _translate(exc: UnexpectedInput, source: Source, parser: Lark) -> DslError:
    literals = _literal_names(parser)
    if isinstance(exc, UnexpectedCharacters):
        char = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        pos = Pos(exc.line, exc.column)
        if char == '"':
            return source.error("unterminated string (a string ends with `\"` on the same line)",
                                pos)
        expected = expected_words(exc.allowed or (), literals)
        shown = repr(char)[1:-1] if char.isprintable() else f"U+{ord(char):04X}" if char else "?"
        if char in "/\\~":
            quoted = _quoted_value(source.line(exc.line), exc.column)
            if quoted is not None:
                return source.error(f"unexpected character `{shown}`: a path is a string, "
                                    "in double quotes", pos, suggestion=quoted)
        return source.error(f"unexpected character `{shown}`", pos, expected=expected)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = expected_words(_accepted(exc), literals)
        if token.type == "$END":
            return source.error("unexpected end of file" + _open_brace_hint(source, None),
                                _end_pos(source), expected=expected)
        found = describe_token(token.type, str(token))
        pos = _token_pos(token)
        return source.error(f"unexpected {found}" + _open_brace_hint(source, pos), pos,
                            expected=expected)
    if isinstance(exc, UnexpectedEOF):
        expected = expected_words(exc.expected or (), literals)
        return source.error("unexpected end of file", _end_pos(source), expected=expected)
    return source.error(str(exc).splitlines()[0], Pos(getattr(exc, "line", 1) or 1,
                                                       getattr(exc, "column", 1) or 1))


def _quoted_value(line: str, column: int) -> str | None:
    """`key = "value"` for a line `key = value` whose unquoted value holds a path character at
    `column` (the value ends at `;`, `}` or a comment)."""
    for match in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^\s;}#\"]+)", line):
        if match.start(2) < column <= match.end(2):
            return f'{match.group(1)} = "{match.group(2)}"'
    return None


def _accepted(exc: UnexpectedToken) -> set[str]:
    """Exactly the terminals the parser could take here (LALR's own lookahead set merges
    states, so it over-reports); falls back to Lark's set if the replay fails."""
    try:
        found = exc.interactive_parser.accepts()
    except Exception:  # the replay is a convenience; the plain set is still right
        found = set()
    return set(found) or set(exc.expected or ())


def _open_brace_hint(source: Source, pos: Pos | None) -> str:
    """When a block opened before the error is never closed in the whole file, the missing
    `}` is the likely cause."""
    before = [n for n in _unclosed(source.lines) if pos is None or n <= pos.line]
    if before:
        return f" (the block opened on line {before[-1]} has no `}}`)"
    return ""


def _token_pos(token: Token) -> Pos:
    return Pos(token.line or 1, token.column or 1)


def _end_pos(source: Source) -> Pos:
    lines = source.text.splitlines() or [""]
    return Pos(len(lines), len(lines[-1]) + 1)
