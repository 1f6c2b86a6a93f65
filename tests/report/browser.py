"""Open a page in real headless Chromium (Debian's `chromium`): its DOM after the load event
and what it wrote to the console."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest


def chromium() -> str:
    """The browser's path; skip without one (fail in CI: `.ci/run` installs it)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        msg = "chromium not found (Debian: apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@dataclass
class Loaded:
    dom: str
    console: list[str]


def open_page(page: Path) -> Loaded:
    """Load `page` from disk, with the network off, and dump its DOM after `load`."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", f"--user-data-dir={profile}", "--enable-logging=stderr",
             "--v=0", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=5000",
             "--dump-dom", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Loaded(done.stdout, console)


@dataclass
class Dom(HTMLParser):
    """What the tests read of a dumped DOM: elements' attributes by id, and table rows."""

    by_id: dict[str, dict[str, str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    images: list[dict[str, str]] = field(default_factory=list)
    svgs: int = 0
    _table: list[str] = field(default_factory=list)
    _in_body: bool = False

    def __post_init__(self) -> None:
        HTMLParser.__init__(self)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.by_id[a["id"]] = a
        if tag == "table":
            self._table.append(a.get("id", ""))
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table:
            self.rows[self._table[-1]] = self.rows.get(self._table[-1], 0) + 1
        elif tag == "img":
            self.images.append(a)
        elif tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag):
        if tag == "table" and self._table:
            self._table.pop()
        elif tag == "tbody":
            self._in_body = False


def parse(dom: str) -> Dom:
    d = Dom()
    d.feed(dom)
    return d
