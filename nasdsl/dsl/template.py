"""What `nasdsl init NAME.nas` writes: a commented experiment to start from, every block with
its defaults.

The template runs as written on the NAS-Bench-101 table `make data` imports (which holds test
accuracies only, hence `fitness = test_accuracy`), in seconds; what it cannot run there (`final`,
a `cluster`, the Keras evaluator) is shown commented out, with its defaults. A test checks
that it passes `check` and runs, so it follows the language as it is.
"""
from __future__ import annotations

import re
from pathlib import Path

from nasdsl.dsl.schema import output_folder_name

TEMPLATE = """\
# {title}: a nasdsl experiment. `nasdsl check {file}` prints its plan, `nasdsl run {file}`
# runs it (a rerun resumes), `nasdsl report {output}` rewrites its report.
# Each setting shows its default unless a comment says otherwise; lines starting with `#`
# are comments. It runs as written on the NAS-Bench-101 table that `make data` imports.
experiment {header}

seed   = 0                  # run r of every search configuration uses seed + r
repeat = 1                  # independent runs per search configuration
budget = 300 evaluations    # per run (required): evaluations, or seconds of training

# The NAS-Bench-101 cell space (`space global {{ layers = 5 }}` stacks layers instead).
space cell {{
    vertices = 7                              # at most, input and output included
    edges    = 9                              # at most
    ops      = [conv1x1, conv3x3, maxpool3x3]
    topology = dag                            # or chain: hidden layers in sequence
    # inputs = 2                              # most inputs of any vertex (default: any)
}}

# A lookup in the NAS-Bench-101 table. The table `make data` imports holds test accuracies
# only, so the search maximizes test_accuracy (default: validation_accuracy, which needs
# the official table).
evaluate nasbench101 {{
    fitness = test_accuracy
    repeats = sample                          # one of the three training runs; or mean
    epochs  = 108                             # 4, 12 and 36 need the official full table
    report  = [test_accuracy]                 # default: test_accuracy, training_time
    # data  = "path/to/store"                 # default: the store `nasdsl data` made
}}

# Real training instead (one `evaluate` block per file):
# evaluate keras {{
#     dataset    = fashion_mnist               # mnist, digits, cifar10, npz("file.npz")
#     epochs     = 10
#     batch_size = 128
#     optimizer  = adam(learning_rate = 0.001)
#     validation = 0.1
#     subset     = 1.0
#     fitness    = validation_accuracy
# }}

# The contenders: each runs with the same seeds, budget, space and evaluator
# (`nasdsl list algorithms` lists them all, with their settings).
search random

search regularized_evolution {{
    population   = 100
    sample       = 25
    mutation     = grow(add_node = 0.1, add_connection = 0.1)   # or flip(rate = 1.0)
    asynchronous = false
}}

# After the search, retrain the best architectures of each search (Keras evaluator only):
# final {{ top = 3; epochs = 50 }}

run {{
    workers = 1                               # evaluations at once on this machine
    # cluster = "tcp://10.0.0.5:8786"         # a Dask scheduler's workers instead
    # journal = "{output}/journal.sqlite"
}}

output = "{output}"
"""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template(path: Path) -> str:
    """The template for the experiment file `path`, named after its stem."""
    name = Path(path).stem or "experiment"
    header = name if _NAME.fullmatch(name) else '"' + name.replace("\\", "\\\\").replace(
        '"', '\\"') + '"'
    return TEMPLATE.format(title=name, header=header, file=Path(path),
                           output=f"results/{output_folder_name(name)}")

