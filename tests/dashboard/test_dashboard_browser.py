"""`nasdsl dashboard` in a real headless Chromium: a real server (the command, in a
subprocess, on a port the system picks) over two experiments run for real on the shared
table, one of them named like an attack."""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from browser_session import browser, offline_page

ATTACK = "<img src=x onerror=alert(1)>"
EXPERIMENT = """experiment {name}
seed = 0; repeat = 2; budget = {budget} evaluations
space cell {{ vertices = 7; edges = 9 }}
evaluate nasbench101 {{ data = "{data}"; fitness = test_accuracy; report = [test_accuracy] }}
{searches}
output = "{output}"
"""
SEARCHES = "search random\nsearch regularized_evolution { population = 10; sample = 3 }"


def write_experiment(folder: Path, name: str, data: Path, output: Path, budget: int = 40,
                     searches: str = SEARCHES, repeat: int = 2) -> Path:
    nas = folder / f"{re.sub(r'[^a-z]+', '_', name.lower()).strip('_') or 'x'}.nas"
    nas.write_text(EXPERIMENT.format(name=name, budget=budget, data=data, output=output,
                                     searches=searches).replace("repeat = 2",
                                                                f"repeat = {repeat}"))
    return nas


class Server:
    """`nasdsl dashboard ARGS --port 0` in a subprocess; its address read from its output."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nasdsl.cli", "dashboard", *args, "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        found = re.search(r"http://[^ ]+/", line)
        if not found:
            self.stop()
            raise AssertionError(f"no address in {line!r}: {self.process.stderr.read()}")
        self.url = found.group(0)
        self.host, self.port = re.match(r"http://([^:]+):(\d+)/", self.url).groups()

    def raw(self, path: str) -> tuple[int, str]:
        """GET `path` exactly as written (no normalising of `..`)."""
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="module")
def results(nb101_store, tmp_path_factory) -> Path:
    """A results folder with two finished experiments, one named like an attack."""
    from nasdsl.cli import main

    folder = tmp_path_factory.mktemp("dashboard")
    results = folder / "results"
    for name, output in (("small_search", "small"), (f'"{ATTACK}"', "attack")):
        nas = write_experiment(folder, name, nb101_store, results / output)
        assert main(["run", str(nas), "--quiet"]) == 0
    return results


@pytest.fixture(scope="module")
def server(results):
    s = Server(str(results))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def _rows(page) -> dict[str, dict[str, str]]:
    page.wait_for_selector("#experiments tbody tr")
    out = {}
    for row in page.locator("#experiments tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        out[cells[1]] = {"state": cells[2], "done": cells[3], "runs": cells[7]}
    return out


def test_the_list_shows_both_experiments_with_their_counts(server, chromium, results):
    page, console = offline_page(chromium)
    page.goto(server.url)
    rows = _rows(page)
    assert set(rows) == {"small_search", ATTACK}  # the attack's name, shown as text
    for output, name in (("small", "small_search"), ("attack", ATTACK)):
        evaluations = len(pd.read_csv(results / output / "evaluations.csv"))
        assert evaluations == 2 * 2 * 40
        assert rows[name] == {"state": "finished", "done": f"{evaluations} of {evaluations}",
                              "runs": "4 of 4"}
    assert page.evaluate("document.images.length") == 0
    assert console.messages == []
    page.context.close()


def test_a_name_that_is_html_is_shown_as_text_and_never_run(server, chromium):
    page, console = offline_page(chromium)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    _rows(page)
    page.get_by_role("link", name=ATTACK).click()
    page.wait_for_selector("#plot-0 .main-svg")
    page.wait_for_selector("#evaluations tbody tr")
    assert page.inner_text("h1") == ATTACK
    assert page.title().startswith(ATTACK)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert dialogs == [] and console.messages == []
    page.context.close()


def test_filters_narrow_the_table_and_the_csv_export_holds_what_is_shown(server, chromium,
                                                                        results, tmp_path):
    page, console = offline_page(chromium)
    page.goto(server.url)
    _rows(page)
    page.get_by_role("link", name="small_search").click()
    page.wait_for_selector("#evaluations tbody tr")
    body = page.locator("#evaluations tbody tr")
    assert body.count() == 160  # every evaluation (under the table's limit)
    page.select_option("#f-config", "random")
    page.wait_for_function("document.querySelectorAll('#evaluations tbody tr').length == 80",
                           timeout=90_000)
    page.fill("#f-run", "1")
    page.dispatch_event("#f-run", "change")
    page.fill("#f-top", "5")
    page.dispatch_event("#f-top", "change")
    page.wait_for_function("document.querySelectorAll('#evaluations tbody tr').length == 5",
                           timeout=90_000)
    shown = [row.locator("td").nth(2).inner_text() for row in body.all()]  # the index column
    if os.environ.get("NASDSL_DOCS_SCREENSHOT"):  # docs/images/dashboard.png, made once
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(Path(__file__).resolve().parents[2] / "docs" / "images"
                                 / "dashboard.png"))
    with page.expect_download() as download:
        page.click("#export")
    saved = tmp_path / "shown.csv"
    download.value.save_as(saved)
    exported = pd.read_csv(saved)
    assert [str(i) for i in exported["index"]] == shown
    assert set(exported["config"]) == {"random"} and set(exported["run"]) == {1}
    everything = pd.read_csv(results / "small" / "evaluations.csv")
    mine = everything[(everything["config"] == "random") & (everything["run"] == 1)]
    assert exported["fitness"].tolist() == pytest.approx(
        sorted(mine["fitness"], reverse=True)[:5])
    assert console.messages == []
    page.context.close()


def test_several_experiments_compare_on_one_page(server, chromium):
    page, console = offline_page(chromium)
    page.goto(server.url)
    _rows(page)
    for box in page.locator("#experiments input[type=checkbox]").all():
        box.check()
    page.click("button[type=submit]")
    page.wait_for_selector("#plot-0 .main-svg")
    assert page.locator("#summary tbody tr").count() == 4  # two configurations each
    assert ATTACK in page.inner_text("h1")
    assert page.evaluate("document.images.length") == 0
    assert console.messages == []
    page.context.close()


def test_a_path_outside_the_given_folders_is_refused(server, results):
    secret = results.parent / "secret.txt"
    secret.write_text("not for the dashboard")
    for path in ("/../secret.txt", "/e/../../secret.txt", "/%2e%2e/secret.txt",
                 "/e/..%2f..%2fsecret.txt", f"/e/{secret}", "/results/small/journal.sqlite",
                 "/small/evaluations.csv", "/e/0123456789ab/evaluations.csv",
                 "/api/e/../../../../etc/passwd"):
        status, text = server.raw(path)
        assert status == 404, path
        assert "not for the dashboard" not in text and "root:" not in text


def test_the_open_list_counts_a_running_experiment_without_a_reload(results, nb101_store,
                                                                   chromium, tmp_path):
    live = tmp_path / "live"
    live.mkdir()
    s = Server(str(live))
    try:
        page, console = offline_page(chromium)
        page.goto(s.url)
        page.wait_for_selector("#experiments")
        loads = page.evaluate("performance.getEntriesByType('navigation').length")
        nas = write_experiment(tmp_path, "growing", nb101_store, live / "growing", budget=600,
                               searches="search random", repeat=6)
        run = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "run", str(nas), "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        seen: list[str] = []
        deadline = time.monotonic() + 120  # does not hang: the run takes seconds
        while time.monotonic() < deadline:
            cells = page.locator("#experiments tbody tr td.done").all_inner_texts()
            if cells and (not seen or seen[-1] != cells[0]):
                seen.append(cells[0])
            if cells and cells[0] == "3,600 of 3,600":
                break
            page.wait_for_timeout(200)
        assert run.wait(timeout=120) == 0, run.stderr.read()
        assert seen and seen[-1] == "3,600 of 3,600", seen
        assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
        assert console.messages == []
        page.context.close()
    finally:
        s.stop()


def test_binding_beyond_this_machine_is_said(results):
    process = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "dashboard", str(results),
                                "--host", "0.0.0.0", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("dashboard at http://0.0.0.0:")
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "not only on this machine" in err


def test_a_path_that_names_nothing_is_refused(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nasdsl.cli", "dashboard", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "Traceback" not in done.stderr


def test_the_report_page_of_the_attack_is_safe_offline(results, chromium):
    page, console = offline_page(chromium, offline=True)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((results / "attack" / "report.html").as_uri())
    page.wait_for_selector("#plot-0 .main-svg")
    assert page.inner_text("h1") == ATTACK
    assert page.evaluate("document.images.length") == 0
    assert dialogs == [] and console.messages == []
    page.context.close()


@pytest.mark.slow  # two runs of 600 and 1,800 evaluations: the list's live test is the default
def test_an_open_experiment_page_follows_its_run_without_a_reload(nb101_store, chromium,
                                                                 tmp_path):
    from nasdsl.cli import main

    live = tmp_path / "results"
    nas = write_experiment(tmp_path, "extended", nb101_store, live / "extended", budget=600,
                           searches="search random", repeat=1)
    assert main(["run", str(nas), "--quiet"]) == 0
    s = Server(str(live))
    try:
        page, console = offline_page(chromium)
        page.goto(s.url)
        _rows(page)
        page.get_by_role("link", name="extended").click()
        page.wait_for_selector("#evaluations tbody tr")
        assert page.inner_text("#status").startswith("finished: 600 of 600")
        loads = page.evaluate("performance.getEntriesByType('navigation').length")
        nas.write_text(nas.read_text().replace("repeat = 1", "repeat = 4"))  # 3 runs more
        run = subprocess.run([sys.executable, "-m", "nasdsl.cli", "run", str(nas), "--quiet"],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        page.wait_for_function("document.getElementById('status').textContent"
                               ".indexOf('2,400 of 2,400') >= 0", timeout=60_000)
        assert "over 4 runs" in page.inner_text("#lead")
        assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
        assert console.messages == []
        page.context.close()
    finally:
        s.stop()
