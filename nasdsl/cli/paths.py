"""What a path on the command line names: `report` and `status` take an experiment file, its
output folder or its journal."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nasdsl.plan import Plan


def experiment_plan(path: Path) -> Plan | None:
    """The plan of `path` when it is an experiment file (refused as `load` refuses it), else
    None: a folder or a journal."""
    if path.suffix == ".nas" and path.is_file():
        from nasdsl.dsl import load

        return load(path)
    return None
