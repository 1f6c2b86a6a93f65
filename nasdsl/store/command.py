"""`nasdsl data nasbench101 …`: import, download and describe the store."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nasdsl.errors import DamagedDataError, DataError
from nasdsl.store.download import download, source_url
from nasdsl.store.importer import ImportReport, import_file
from nasdsl.store.nasbench101 import NASBench101Store
from nasdsl.store.paths import store_dir
from nasdsl.store.progress import progress_bar
from nasdsl.store.verify import check_files, verify_store
from nasdsl.wording import count


def data_command(args: argparse.Namespace) -> int:
    """Entry point from the CLI; returns the exit code (DataError is left to the CLI: 2)."""
    if args.dataset != "nasbench101":
        raise DataError(f"unknown dataset {args.dataset!r}")
    data = args.data
    if args.info:
        print_info(NASBench101Store.open(data))
        return 0
    if getattr(args, "verify", False):
        return _verify(data)
    if args.if_missing and _sound_store(data):
        print(f"NAS-Bench-101 store already present at {store_dir(data)}; nothing to do")
        return 0
    if args.import_path is not None:
        _import(args.import_path, data)
        return 0
    variant = args.download or "only108"
    print(f"downloading {source_url(variant)}", file=sys.stderr)
    update, close = progress_bar(f"NAS-Bench-101 {variant}")
    try:
        got = download(variant, data, progress=update)
    finally:
        close()
    resumed = f" (resumed at byte {got.resumed_from})" if got.resumed_from else ""
    print(f"downloaded {got.path}{resumed}, sha256 {got.sha256}")
    _import(got.path, data)
    return 0


def _sound_store(data) -> bool:
    """Whether a store of this version is there with every file matching its checksum;
    says why not when there is one that is outdated or damaged (it is then imported again)."""
    if not NASBench101Store.exists(data):
        return False
    try:
        found = check_files(data)
    except DataError as e:
        print(f"note: {e}; importing again", file=sys.stderr)
        return False
    for problem in found.problems:
        print(f"note: {problem}; importing again", file=sys.stderr)
    return found.sound


def _verify(data) -> int:
    """`--verify`: 0 when the store is sound, else every problem and exit 1."""
    update, close = progress_bar("recomputing hashes", as_bytes=False)
    try:
        result = verify_store(data, progress=update)
    finally:
        close()
    if result.problems:
        for problem in result.problems:
            print(f"error: {problem}", file=sys.stderr)
        raise DamagedDataError(f"the NAS-Bench-101 store at {result.store} is damaged "
                               f"({len(result.problems)} problem"
                               f"{'s' if len(result.problems) != 1 else ''}); {result.advice}")
    print(f"verified {result.store}: meta.json and {count(result.files, 'file')} "
          f"({result.bytes / 2**20:.1f} MB) match their checksums; {result.cells:,} hashes "
          f"recomputed from their specs; metrics in range ({result.seconds:.1f} s)")
    return 0


def _import(path: Path, data) -> ImportReport:
    size = path.stat().st_size if path.is_file() else None
    update, close = progress_bar(f"importing {path.name}", total=size)
    bars = [close]

    def checking(done: int, total: int) -> None:
        if len(bars) == 1:  # reading is over: one bar at a time
            bars[0]()
            check, close_check = progress_bar("checking hashes", total=total, as_bytes=False)
            bars.append(close_check)
            bars.append(check)
        bars[2](done, total)

    try:
        report = import_file(path, data, progress=update, checking=checking)
    finally:
        for stop in bars[:2]:
            stop()
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    meta = report.meta
    print(f"imported {meta['cells']:,} cells ({', '.join(meta['metrics'])}) from "
          f"{path.name} into {report.store}")
    return report


def info_lines(store: NASBench101Store) -> list[str]:
    """What the store holds, one fact per line."""
    meta = store.meta
    src = meta.get("source", {})
    lines = [
        f"store:     {store.path}",
        f"cells:     {meta['cells']:,}",
        f"epochs:    {', '.join(str(e) for e in meta['epochs'])}",
        f"repeats:   {meta['repeats']}",
        "metrics:",
    ]
    for name, info in meta["metrics"].items():
        if info["per"] == "run":
            where = ", ".join(f"{count(int(e), 'epoch')}: {count(int(n), 'run')}, "
                              f"{count(int(info['repeats'][e]), 'repeat')}"
                              for e, n in info["runs"].items() if n)
            lines.append(f"  {name:<22} per run  ({where})")
        else:
            lines.append(f"  {name:<22} per cell ({info['cells']:,} cells)")
    lines += [
        f"source:    {src.get('file')} ({src.get('kind')}, {src.get('size', 0):,} bytes)",
        f"sha256:    {src.get('sha256')}",
        f"imported:  {meta.get('imported')}",
        f"size:      {_folder_size(store.path):,} bytes on disk",
        f"format:    {meta['format']} v{meta['format_version']}",
    ]
    return lines


def print_info(store: NASBench101Store) -> None:
    for line in info_lines(store):
        print(line)


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
