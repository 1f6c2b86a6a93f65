"""`nasdsl init NAME.nas`: write the commented template (`nasdsl.dsl.template`) to start
from, never over an existing file."""
from __future__ import annotations

import sys
from pathlib import Path


def init_file(path: Path) -> int:
    """Write the template to `path`: 0; 2 (a sentence on stderr) when `path` is not a `.nas`
    file or already exists (never overwritten), 1 when it cannot be written."""
    from nasdsl.dsl.template import template

    path = Path(path)
    if path.suffix != ".nas":
        print(f"error: {path}: an experiment file's name ends in .nas, e.g. nasdsl init "
              f"{path.with_suffix('.nas')}", file=sys.stderr)
        return 2
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(template(path))
    except FileExistsError:
        print(f"error: {path} exists; nasdsl init writes a new file only and never replaces "
              "one: choose another name, or move the file away", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write {path}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"wrote {path}: `nasdsl check {path}` shows its plan, `nasdsl run {path}` runs it")
    return 0
