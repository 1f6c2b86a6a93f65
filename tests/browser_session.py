"""Real headless Chromium driven by Playwright: Debian's `chromium` (Playwright's own
browser builds are never downloaded). A test that needs a browser skips without one on a
developer's machine and fails in CI (`.ci/run` installs `chromium`)."""
from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from typing import Iterator

import pytest


def chromium() -> str:
    """The system browser's path; skip without one (fail in CI)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("chromium not found (Debian: apt-get install chromium)")
    return path


def _missing(msg: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


@contextlib.contextmanager
def browser() -> Iterator[object]:
    """A Playwright browser running the system Chromium headless."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (the `test` extra)")
    path = chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True,
                              args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@dataclass
class Console:
    """What a page wrote to its console and the errors it raised."""

    messages: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        page.on("console", lambda m: self.messages.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.messages.append(f"pageerror: {e}"))


def offline_page(browser, width: int = 1400, **options):
    """A page in a fresh context that can fetch nothing from a network (only `file:` and the
    loopback server a test names), `width` pixels wide, and its Console."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True, **options)
    page = context.new_page()
    console = Console()
    console.watch(page)
    return page, console


def no_horizontal_scroll(page) -> list[str]:
    """The elements wider than their box (a horizontal scrollbar), by id or tag."""
    return page.evaluate("""() => {
        const out = [];
        if (document.documentElement.scrollWidth > window.innerWidth) out.push('page');
        document.querySelectorAll('.scroll').forEach((e) => {
            if (e.scrollWidth > e.clientWidth + 1) {
                const t = e.querySelector('table');
                out.push(t && t.id ? t.id : 'table');
            }
        });
        return out;
    }""")
