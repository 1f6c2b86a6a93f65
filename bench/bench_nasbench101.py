"""NAS-Bench-101 store and evaluator speed, each figure beside a baseline measured in the
same run: a pickle of dicts (the usual way tables are shipped) and the official-style
per-cell hashing.

Prints one line per figure: name, value, unit, baseline, ratio. Imports the shared table
(from $NASDSL_SHARED_DATA, else ../shared/data beside the repository) into a temporary data
folder when no store is given with --data.
"""
from __future__ import annotations

import argparse
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NASDSL_SHARED_DATA", ROOT.parent / "shared" / "data"))


def line(name: str, value: float, unit: str, baseline: float, base_name: str) -> None:
    ratio = baseline / value if value else float("inf")
    shown = f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2g}x"
    print(f"{name}: {value:.4g} {unit} | baseline {base_name}: {baseline:.4g} {unit} "
          f"| {shown}")


def descriptor_of(matrix, ops) -> SimpleNamespace:
    """A NORD-shaped descriptor ('<i>_Layer' names, [op, None] layers)."""
    names = [f"{i}_Layer" for i in range(len(ops))]
    return SimpleNamespace(layers={n: [op, None] for n, op in zip(names, ops)},
                           connections={names[i]: [names[j] for j in range(len(ops)) if matrix[i][j]]
                                        for i in range(len(ops))})


def _rss_script(kind: str, path: str) -> str:
    return f"""
import resource, sys
def rss():
    for l in open('/proc/self/status'):
        if l.startswith('VmRSS'):
            return int(l.split()[1]) * 1024
import numpy as np, pickle
from nasdsl.store.nasbench101 import NASBench101Store
before = rss()
if {kind!r} == 'store':
    s = NASBench101Store.open({path!r})
    rows = s.rows(s.hashes[::40])
    acc = s.array('test_accuracy')[np.sort(rows), 0, 0].sum()
else:
    with open({path!r}, 'rb') as f:
        d = pickle.load(f)
print(rss() - before)
"""


def resident(kind: str, path: Path) -> int:
    out = subprocess.run([sys.executable, "-c", _rss_script(kind, str(path))],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, help="an existing store (or data folder) to measure")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="nasdsl-bench-"))
    try:
        return _measure(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _crc_throughput() -> None:
    """MB/s of record checksumming: the installed backend against the numpy fallback."""
    from nasdsl.store import crc32c

    rng = np.random.default_rng(0)
    records = [rng.bytes(int(n)) for n in rng.integers(300, 500, size=20_000)]
    size = sum(map(len, records)) / 2**20
    t = time.perf_counter()
    crc32c.crc32c_many(records)
    fast = size / (time.perf_counter() - t)
    t = time.perf_counter()
    crc32c._crc32c_numpy(records)
    fallback = size / (time.perf_counter() - t)
    print(f"tfrecord checksum throughput ({crc32c.backend()}): {fast:,.0f} MB/s | baseline numpy "
          f"fallback: {fallback:,.0f} MB/s | {fast / fallback:.1f}x")


def _open_and_query(data: Path, verify: bool, hashes: list[str]) -> float:
    """Seconds to open the store and answer a first lookup with fitness and one report
    metric: what a run does before its first evaluation (the checksums of the hashes, the
    fitness and the report arrays, and the sort order, when verifying)."""
    from nasdsl.evaluators import NASBench101Evaluator
    from nasdsl.store.arrays import forget_verified
    from nasdsl.store.nasbench101 import NASBench101Store

    forget_verified()
    t = time.perf_counter()
    store = NASBench101Store.open(data, verify=verify)
    ev = NASBench101Evaluator(store=store, fitness="test_accuracy", report=["trainable_parameters"])
    ev.evaluate(hashes[0])
    return time.perf_counter() - t


def _verification_cost(data: Path) -> None:
    """What verifying at open costs, against the same open without it; and the full
    `--verify` against its checksum part alone."""
    from nasdsl.store.nasbench101 import NASBench101Store
    from nasdsl.store.verify import check_files, verify_store

    hashes = [NASBench101Store.open(data).hashes[0].decode()]
    reps = 5
    plain = min(_open_and_query(data, False, hashes) for _ in range(reps))
    checked = min(_open_and_query(data, True, hashes) for _ in range(reps))
    line("store open + first lookup, verified at open", checked * 1e3, "ms", plain * 1e3,
         "the same open without verification")
    t = time.perf_counter()
    check_files(data)
    sums = time.perf_counter() - t
    t = time.perf_counter()
    verify_store(data)
    line("full --verify (every checksum, every hash recomputed, ranges)",
         time.perf_counter() - t, "s", sums, "checksums of every file only")


def _measure(args: argparse.Namespace, tmp: Path) -> int:
    from nasdsl.evaluators import NASBench101Evaluator
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from hashing_reference import reference_module_hash, reference_prune
    from nasdsl.store.arrays import forget_verified
    from nasdsl.store.importer import import_file
    from nasdsl.store.nasbench101 import NASBench101Store

    table = SHARED / "nasbench101" / "nb101_test_r0.npz"
    if args.data is None:
        if not table.exists():
            print(f"shared table not found: {table}", file=sys.stderr)
            return 1
        t = time.perf_counter()
        data = import_file(table, tmp).store
        import_seconds = time.perf_counter() - t
    else:
        data, import_seconds = args.data, None

    # --- baseline: the same table as a pickle of dicts ---------------------------------
    store = NASBench101Store.open(data)
    acc = np.asarray(store.array("test_accuracy"))[:, 0, 0]
    params = np.asarray(store.array("trainable_parameters"))
    hashes = [h.decode() for h in store.hashes]
    as_dicts = {h: {"module_adjacency": store.adjacency[i], "module_operations": store.spec(i)[1],
                    "test_accuracy": float(acc[i]), "trainable_parameters": int(params[i])}
                for i, h in enumerate(hashes)}
    pickled = tmp / "table.pkl"
    with open(pickled, "wb") as f:
        pickle.dump(as_dicts, f, protocol=pickle.HIGHEST_PROTOCOL)
    del as_dicts

    if import_seconds is not None:
        t = time.perf_counter()
        np.load(table)["hash"]  # decompressing the source alone, for scale
        line("import shared table (423,624 cells)", import_seconds, "s",
             time.perf_counter() - t, "decompress its hash column only")

    forget_verified()
    t = time.perf_counter()
    opened = NASBench101Store.open(data)
    ev = NASBench101Evaluator(store=opened, fitness="test_accuracy", report=["trainable_parameters"])
    ev.evaluate(hashes[0])
    load = time.perf_counter() - t
    t = time.perf_counter()
    with open(pickled, "rb") as f:
        table_dicts = pickle.load(f)
    pickle_load = time.perf_counter() - t
    line(f"store load, verified ({opened.cells:,} cells)", load, "s", pickle_load,
         "pickle of dicts")
    _verification_cost(Path(data))

    # --- single queries by descriptor ---------------------------------------------------
    rng = np.random.default_rng(0)
    rows = rng.choice(opened.cells, size=2000, replace=False)
    specs = [opened.spec(int(r)) for r in rows]
    descriptors = [descriptor_of(m, o) for m, o in specs]

    t = time.perf_counter()
    for d in descriptors:
        ev.evaluate(d)
    cold = (time.perf_counter() - t) / len(descriptors)
    t = time.perf_counter()
    for m, o in specs[:300]:
        pruned = reference_prune(np.asarray(m), [{"input": -1, "output": -2, "conv3x3-bn-relu": 0,
                                                  "conv1x1-bn-relu": 1, "maxpool3x3": 2}[x] for x in o])
        table_dicts[reference_module_hash(*pruned)]["test_accuracy"]
    official = (time.perf_counter() - t) / 300
    line("query by descriptor, cold (hash computed)", cold * 1e6, "us", official * 1e6,
         "official-style prune+hash then dict lookup")

    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        for d in descriptors:
            ev.evaluate(d)
    warm = (time.perf_counter() - t) / (reps * len(descriptors))
    keys = [hashes[int(r)] for r in rows]
    t = time.perf_counter()
    for _ in range(reps):
        for k in keys:
            table_dicts[k]["test_accuracy"]
    dict_get = (time.perf_counter() - t) / (reps * len(keys))
    line("query by descriptor, hash memoized", warm * 1e6, "us", dict_get * 1e6,
         "bare dict lookup by known hash (lower bound)")

    # --- batch throughput ------------------------------------------------------------
    batch_keys = [hashes[int(r)] for r in rng.choice(opened.cells, size=50_000, replace=False)]
    t = time.perf_counter()
    ev.evaluate_batch(batch_keys)
    batch = len(batch_keys) / (time.perf_counter() - t)
    t = time.perf_counter()
    for k in batch_keys[:10_000]:
        ev.evaluate(k)
    single = 10_000 / (time.perf_counter() - t)
    print(f"batch query throughput (by hash): {batch:,.0f} evals/s | baseline one by one: "
          f"{single:,.0f} evals/s | {batch / single:.1f}x")

    # --- memory ----------------------------------------------------------------------
    mem_store = resident("store", Path(data))
    mem_pickle = resident("pickle", pickled)
    line("resident memory of the loaded store (after 10k queries)", mem_store / 2**20, "MB",
         mem_pickle / 2**20, "pickle of dicts")
    _crc_throughput()
    return 0


if __name__ == "__main__":
    sys.exit(main())
