"""Progress display for long data operations: a rich bar on a terminal, silence elsewhere."""
from __future__ import annotations

import sys
from typing import Callable

Update = Callable[[int, "int | None"], None]


def progress_bar(description: str, total: int | None = None,
                 as_bytes: bool = True) -> tuple[Update, Callable[[], None]]:
    """Returns (update(done, total), close); both do nothing when stderr is not a terminal."""
    if not sys.stderr.isatty():
        return (lambda done, total=None: None), (lambda: None)
    from rich.console import Console
    from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress,
                               TimeRemainingColumn, TransferSpeedColumn)

    columns = ([DownloadColumn(), TransferSpeedColumn()] if as_bytes else [MofNCompleteColumn()])
    bar = Progress("[progress.description]{task.description}", BarColumn(), *columns,
                   TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    task = bar.add_task(description, total=total)
    bar.start()

    def update(done: int, new_total: int | None = None) -> None:
        bar.update(task, completed=done, total=new_total if new_total is not None else total)

    return update, bar.stop
