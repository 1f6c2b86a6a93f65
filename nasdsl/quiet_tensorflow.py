"""TensorFlow and Keras, imported here and nowhere else, so that a run's stderr holds only
what nasdsl says.

TensorFlow reads its settings from the environment when it is imported, so they are set
first (a value the user set is kept): Keras on TensorFlow, TensorFlow's C++ messages below
errors off. Two kinds of line TensorFlow writes at import whatever those say — absl's "All log
messages before absl::InitializeLog() …" and "oneDNN custom operations are on …" — are
dropped; anything else written during the import is passed on. oneDNN itself stays on:
`TF_ENABLE_ONEDNN_OPTS=0` would silence it too, but trains about half as fast on a CPU.
absl's Python logging (Keras's notices) shows errors only.

```python
from nasdsl.quiet_tensorflow import keras, tf
```
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import Iterator

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

CHATTER = ("All log messages before absl::InitializeLog() is called",
           "oneDNN custom operations are on")
"""Parts of the lines dropped from what TensorFlow writes while it is imported."""


@contextlib.contextmanager
def dropping(chatter: tuple[str, ...] = CHATTER) -> Iterator[None]:
    """Within the block, what is written to file descriptor 2 (C++ libraries included) is held
    back; at its end every line but those containing one of `chatter` reaches stderr."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to guard
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = [line for line in held.read().splitlines(keepends=True)
                    if not any(c.encode() in line for c in chatter)]
            if kept:
                os.write(2, b"".join(kept))


with dropping():
    import tensorflow as tf
    import keras

try:
    from absl import logging as _absl_logging

    _absl_logging.set_verbosity(_absl_logging.ERROR)
except ImportError:  # pragma: no cover - absl comes with TensorFlow
    pass

__all__ = ["keras", "tf"]
