"""The dashboard over a study-sized journal: ROWS evaluations (1.9 million by default, as the
study's evolution grid; `python bench/bench_dashboard.py ROWS` for another size) in 64
configurations (a (population, sample) grid) of 5 runs, written synthetically through the
journal's own API, served by `nasdsl dashboard` in a subprocess.

Figures: the first page (`/`) and an experiment's page (`/e/ID`) once read (the best of 5
requests) against their first load (the journal read, verified and analysed in the
background while the page says it is reading); the filtered
evaluations (`top 10` of one configuration) against the first page; the server's memory
(resident, and its peak) against the journal's size on disk; and the time from a commit to
a running experiment's journal until the list's JSON shows it, against the interval at which
an open page asks (the page shows it within that interval more). Prints one line per figure:
name, value, unit, baseline, ratio.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

from nasdsl.dashboard.app import POLL_MS
from nasdsl.journal import Journal
from nasdsl.journal.values import metrics_json
from nasdsl.plan import Budget, EvaluatorSpec, SearchConfig, SpaceSpec

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_900_000
GRID = [(p, s) for p in (8, 16, 25, 32, 50, 64, 100, 128) for s in (2, 4, 8, 16, 25, 32, 50, 64)]
RUNS = 5
BATCH = 5000
EVALUATOR = EvaluatorSpec("nasbench101", {"fitness": "test_accuracy",
                                          "report": ["test_accuracy"]})


def _config(population: int, sample: int, index: int, budget: int) -> SearchConfig:
    return SearchConfig(label="regularized_evolution", algorithm="regularized_evolution",
                        settings={"population": population, "sample": sample},
                        swept={"population": population, "sample": sample},
                        budget=Budget(budget, "evaluations"), space=SpaceSpec("cell", {}),
                        evaluator=EVALUATOR, index=index)


def _rows(run: str, start: int, n: int, population: int, rng: np.random.Generator) -> list:
    fitness = 0.8 + 0.14 * (1 - np.exp(-(start + np.arange(n)) / 2000)) * rng.uniform(0.9, 1, n)
    return [(run, start + i, (start + i) // population, f"cell:{rng.integers(1 << 40):x}|0111",
             f"{rng.integers(1 << 60):032x}", float(fitness[i]), "ok", None, 0.0, 1e-4,
             metrics_json({"test_accuracy": float(fitness[i])}))
            for i in range(n)]


def _write(path: Path, rows: int) -> None:
    per_run = rows // (len(GRID) * RUNS)
    configs = [_config(p, s, i, per_run) for i, (p, s) in enumerate(GRID)]
    rng = np.random.default_rng(0)
    with Journal.open(path, readonly=False) as journal:
        journal.write_meta({"format_version": "3", "experiment": "bench_grid", "repeat": RUNS,
                            "plan": json.dumps({"configs": [c.key for c in configs],
                                                "repeat": RUNS})})
        journal.write_configs(configs)
        for c, (population, _) in zip(configs, GRID):
            for r in range(RUNS):
                run = f"{c.key}#{r}"
                journal.start_run(run, c.key, r, r)
                for start in range(0, per_run, BATCH):
                    n = min(BATCH, per_run - start)
                    done = (run, per_run) if start + n == per_run else None
                    journal.append(_rows(run, start, n, population, rng), finished=done)


def _get(url: str) -> tuple[float, bytes]:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        body = response.read()
    return time.perf_counter() - began, body


def _until(url: str, done, every: float = 0.2):
    """Poll `url`'s JSON until `done(data)`; the data."""
    while True:
        data = json.loads(_get(url)[1])
        if done(data):
            return data
        time.sleep(every)


def _memory(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MB of the process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _latency(base: str, journal: Path) -> float:
    """Seconds from a commit to a growing journal until the list's JSON counts it."""
    config = _config(10, 3, 0, 10_000)
    rng = np.random.default_rng(1)
    with Journal.open(journal, readonly=False) as writer:
        writer.write_meta({"format_version": "3", "experiment": "growing", "repeat": 1,
                           "plan": json.dumps({"configs": [config.key], "repeat": 1})})
        writer.write_configs([config])
        writer.start_run(f"{config.key}#0", config.key, 0, 0)
        writer.append(_rows(f"{config.key}#0", 0, 100, 10, rng))
        _get(base + "api/experiments")  # read once, as an open page would have
        writer.append(_rows(f"{config.key}#0", 100, 100, 10, rng))
        committed = time.perf_counter()
        while True:
            _, body = _get(base + "api/experiments")
            if any(e["name"] == "growing" and e["evaluations"] == 200 for e in json.loads(body)):
                return time.perf_counter() - committed
            time.sleep(0.01)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "results"
        (results / "grid").mkdir(parents=True)
        began = time.perf_counter()
        _write(results / "grid" / "journal.sqlite", ROWS)
        size = (results / "grid" / "journal.sqlite").stat().st_size / 2**20
        print(f"# journal of {ROWS:,} rows written in {time.perf_counter() - began:.0f} s "
              f"({size:,.0f} MB)", flush=True)
        server = subprocess.Popen([sys.executable, "-m", "nasdsl.cli", "dashboard",
                                   str(results), "--port", "0"], stdout=subprocess.PIPE,
                                  text=True)
        try:
            base = re.search(r"http://\S+/", server.stdout.readline()).group(0)
            began = time.perf_counter()
            first, _ = _get(base)
            api = _until(base + "api/experiments",
                         lambda d: d and d[0]["state"] not in ("reading",))
            cold_list = time.perf_counter() - began
            warm_list = min(_get(base)[0] for _ in range(5))
            ident = api[0]["id"]
            assert api[0]["evaluations"] == ROWS // (len(GRID) * RUNS) * len(GRID) * RUNS
            began = time.perf_counter()
            placeholder, _ = _get(base + f"e/{ident}")
            _until(base + f"api/e/{ident}/ready", lambda d: d["ready"])
            _get(base + f"e/{ident}")
            cold_page = time.perf_counter() - began
            warm_page = min(_get(base + f"e/{ident}")[0] for _ in range(5))
            key = _config(64, 16, 0, 1).key
            query = urllib.parse.urlencode({"config": key, "top": 10})
            table = min(_get(base + f"api/e/{ident}/evaluations?{query}")[0] for _ in range(5))
            resident, peak = _memory(server.pid)
            (results / "growing").mkdir()
            latency = _latency(base, results / "growing" / "journal.sqlite")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"first page once read, {warm_list * 1000:.1f}, ms, {cold_list:.2f} s (until the "
          f"first load shows the journal read; its page answered in {first * 1000:.0f} ms), "
          f"{cold_list / warm_list:,.0f}x faster")
    print(f"experiment page once read, {warm_page * 1000:.1f}, ms, {cold_page:.2f} s (first "
          f"load; its 'reading' page answered in {placeholder * 1000:.0f} ms), "
          f"{cold_page / warm_page:,.0f}x faster")
    print(f"evaluations table, top 10 of one configuration, {table * 1000:.1f}, ms, "
          f"{warm_list * 1000:.1f} ms (first page), {table / warm_list:.1f}x")
    print(f"server memory serving {ROWS:,} evaluations, {resident:,.0f}, MB resident, "
          f"{size:,.0f} MB (journal on disk), {resident / size:.1f}x; peak {peak:,.0f} MB")
    print(f"a commit shown in the list's data, {latency * 1000:.0f}, ms, {POLL_MS} ms (the "
          f"page's polling interval), {latency * 1000 / POLL_MS:.2f}x")


if __name__ == "__main__":
    main()
