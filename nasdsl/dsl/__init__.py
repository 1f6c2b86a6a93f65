"""The `.nas` language: `load(path)` / `loads(text)` turn a file into a `Plan`.

Text is parsed by the LALR grammar `grammars/nas.lark` (shipped as `nasdsl.grammar`), transformed into the typed AST
of `nasdsl.dsl.ast`, then checked and compiled against the settings components declare (`nasdsl.registry`).
Whatever the input, the only error raised is `DslError`, located in the source.
"""
from __future__ import annotations

import importlib
import os
import stat
import sys
from pathlib import Path

from nasdsl.dsl import ast
from nasdsl.dsl.diagnostics import Source
from nasdsl.errors import DslError, DslErrors, Refusals
from nasdsl.plan import Plan


def parse(text: str, file: str = "<string>") -> ast.Document:
    """Text -> AST, without checking meaning."""
    from nasdsl.dsl.parser import parse_tree
    from nasdsl.dsl.transformer import to_ast

    source = Source(file, text)
    try:
        return to_ast(parse_tree(source), source)
    except RecursionError:
        raise source.error("the file nests too deeply to read", ast.Pos(1, 1)) from None


def normalize(text: str) -> str:
    """Text as the grammar reads it: without a UTF-8 byte-order mark, and with Windows
    (CR LF) and old Mac (CR) line endings as newlines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def loads(text: str, file: str = "<string>", *, source_path: Path | None = None) -> Plan:
    """Compile `.nas` text. `file` names it in errors; the experiment defaults to its stem.

    All of a file's mistakes are refused in one pass, syntax errors included: when the text
    does not parse, what still parses once the lines at fault are set aside is checked too,
    and its refusals come with the syntax errors, in line order."""
    from nasdsl.dsl.compiler import compile_document, refusals_of
    from nasdsl.dsl.parser import parse_or_recover
    from nasdsl.dsl.transformer import to_ast

    text = normalize(text)
    source = Source(file, text)
    default_name = Path(file).stem if file and not file.startswith("<") else "experiment"
    default_name = default_name or "experiment"
    try:
        tree, recovery = parse_or_recover(source)
        if recovery is None:
            return compile_document(to_ast(tree, source), default_name, source_path)
        found = Refusals().extend(recovery.errors)
        if recovery.tree is not None:
            try:
                document = to_ast(recovery.tree, source)
            except DslError as e:
                found.append(e)
            else:
                found.absorb(refusals_of(document, default_name, source_path,
                                         recovery.set_aside))
        raise DslErrors.of(found) from None
    except RecursionError:
        raise source.error("the file nests too deeply to read", ast.Pos(1, 1)) from None


MAX_FILE_BYTES = 10 * 2 ** 20
"""Largest `.nas` file read: an experiment is a page of text, not megabytes."""


def load(path: str | Path) -> Plan:
    """Compile a `.nas` file (UTF-8). A pipe, a device (`/dev/zero`) or a folder is refused
    without reading from it, and so is a file larger than `MAX_FILE_BYTES`. The file's folder
    goes on the import path (first, as pytest puts a test's folder), so `evaluate
    "module:name"` and `search "module:Class"` find a module beside the file; worker
    processes inherit the path."""
    path = Path(path)
    importable(path.parent)
    try:
        # O_NONBLOCK: opening a pipe does not wait for a writer; a regular file is unaffected
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise DslError("not a regular file (a pipe, a device or a folder); give the "
                               ".nas file itself", file=str(path))
            if st.st_size > MAX_FILE_BYTES:
                raise DslError(f"{st.st_size:,} bytes is too large for an experiment file "
                               f"(at most {MAX_FILE_BYTES:,})", file=str(path))
            data = f.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise DslError("not a regular file (a folder); give the .nas file itself",
                       file=str(path)) from None
    except OSError as exc:
        raise DslError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DslError("the file is not UTF-8 text", file=str(path), line=line,
                       column=column) from None
    return loads(text, str(path), source_path=path)


def importable(folder: str | Path) -> None:
    """Put `folder` first on the import path, once."""
    entry = str(Path(folder).resolve())
    if entry not in sys.path:
        sys.path.insert(0, entry)
        importlib.invalidate_caches()


__all__ = ["load", "loads", "normalize", "parse", "DslError"]
