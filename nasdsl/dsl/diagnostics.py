"""Building `DslError`s that point at the source: line, caret, expected words, suggestions."""
from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import Iterable, Sequence

from nasdsl.dsl.ast import Pos
from nasdsl.errors import DslError


@dataclass(frozen=True)
class Source:
    """The text being compiled and its name, so any stage can raise a located error."""

    file: str
    text: str

    @functools.cached_property
    def lines(self) -> list[str]:
        """The text's lines, split once: every error of a line shares its one copy."""
        return self.text.splitlines()

    def line(self, number: int) -> str:
        lines = self.lines
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return ""

    def error(self, message: str, pos: Pos | None, *, expected: Sequence[str] = (),
              accepted: Sequence[str] = (), suggestion: str | None = None) -> DslError:
        line, column = (pos.line, pos.column) if pos else (0, 0)
        return DslError(message, file=self.file, line=line, column=column,
                        source_line=self.line(line) if line else "",
                        expected=tuple(expected), accepted=tuple(accepted),
                        suggestion=suggestion)

    def unknown(self, what: str, name: str, pos: Pos | None, accepted: Iterable[str],
                context: str = "") -> DslError:
        """An unknown name: says so, lists what is accepted, suggests the closest."""
        choices = sorted(set(accepted))
        where = f" {context}" if context else ""
        return self.error(f"unknown {what} `{name}`{where}", pos,
                          accepted=choices, suggestion=closest(name, choices))


@dataclass(frozen=True)
class Narrowed:
    """A `Source` whose refusals of an unknown `what` offer (and suggest) only `allowed`:
    what another block of the file lets through there (the ops an evaluator can score)."""

    source: Source
    what: str
    allowed: frozenset[str]

    def line(self, number: int) -> str:
        return self.source.line(number)

    def error(self, message: str, pos: Pos | None, *, expected: Sequence[str] = (),
              accepted: Sequence[str] = (), suggestion: str | None = None) -> DslError:
        return self.source.error(message, pos, expected=expected, accepted=accepted,
                                 suggestion=suggestion)

    def unknown(self, what: str, name: str, pos: Pos | None, accepted: Iterable[str],
                context: str = "") -> DslError:
        if what == self.what:
            accepted = [a for a in accepted if a in self.allowed]
        return self.source.unknown(what, name, pos, accepted, context)


def closest(name: str, choices: Sequence[str]) -> str | None:
    """The accepted name a typo most likely meant, if any is close enough."""
    found = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    if not found and "." in name:
        found = difflib.get_close_matches(name.rsplit(".", 1)[-1],
                                          [c.rsplit(".", 1)[-1] for c in choices], n=1)
        if found:
            found = [c for c in choices if c.rsplit(".", 1)[-1] == found[0]][:1]
    return found[0] if found else None


# Lark terminal names -> what a user would call them. Value-starting terminals collapse
# into "a value"; the separators into "a newline or `;`".
_VALUE_STARTS = {"INT", "FLOAT", "STRING", "TRUE", "FALSE", "LSQB", "LPAR", "NAME"}
_WORDS = {
    "NAME": "a name",
    "INT": "an integer",
    "FLOAT": "a number",
    "STRING": "a string",
    "EQUAL": "`=`",
    "IN": "`in`",
    "AS": "`as`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "COMMA": "`,`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "$END": "end of file",
}


def expected_words(terminals: Iterable[str], literal_names: dict[str, str]) -> list[str]:
    """Human words for a set of Lark terminals, most useful first."""
    names = set(terminals)
    out: list[str] = []
    if {"_NL", "SEMICOLON"} & names:
        out.append("a newline or `;`")
        names -= {"_NL", "SEMICOLON"}
    if {"EQUAL", "IN"} <= names:
        out.append("`=` or `in`")
        names -= {"EQUAL", "IN"}
    if {"INT", "FLOAT", "STRING", "LSQB"} <= names:
        out.append("a value")
        names -= _VALUE_STARTS
    for name in sorted(names):
        word = _WORDS.get(name)
        if word is None and name in literal_names:
            word = f"`{literal_names[name]}`"
        out.append(word or name.lower())
    return out


def describe_token(kind: str, text: str) -> str:
    """How a found token is named in 'unexpected …' messages."""
    if kind == "$END":
        return "end of file"
    if kind == "_NL":
        return "end of line"
    if kind == "STRING":
        return f"string {text}"
    return f"`{text}`"
