"""Small words in messages: counts with the right plural, and the right indefinite article."""
from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 run`, `2 runs`, `1,250 runs` (`plural` when adding an s is wrong)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def article(word: str) -> str:
    """`a` or `an` before `word` as it is written (the language's keywords: an `evaluate`
    block, a `search` block), judged by its first letter."""
    return "an" if word.lstrip("`\"'")[:1].lower() in ("a", "e", "i", "o", "u") else "a"
