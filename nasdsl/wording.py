"""Small words in messages: counts with the right plural, rates a reader can use, and the right
indefinite article."""
from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 run`, `2 runs`, `1,250 runs` (`plural` when adding an s is wrong)."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def rate(n: int, seconds: float, noun: str) -> str:
    """`12/s` (`n` `noun`s in `seconds`); below one a second, where a rate would round to a
    useless `0/s`, the seconds each takes: `42 s per evaluation`, `2.5 s per evaluation`;
    `-` before the first one."""
    if n <= 0 or seconds <= 0:
        return "-"
    per_second = n / seconds
    if per_second >= 1:
        return f"{per_second:,.0f}/s"
    each = seconds / n
    return f"{each:,.0f} s per {noun}" if each >= 10 else f"{each:.1f} s per {noun}"


def article(word: str) -> str:
    """`a` or `an` before `word` as it is written (the language's keywords: an `evaluate`
    block, a `search` block), judged by its first letter."""
    return "an" if word.lstrip("`\"'")[:1].lower() in ("a", "e", "i", "o", "u") else "a"


def duration(seconds: float) -> str:
    """`42 s`, `3 min 05 s`, `2 h 07 min`."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s:02d} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m:02d} min"
