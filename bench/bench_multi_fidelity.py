"""Multi-fidelity search on real training: what Hyperband buys over full-fidelity search, how
nasdsl's `hyperband` compares with KerasTuner's, and how busy `asha` keeps two workers.

One line per figure: name, value, unit, and the baseline measured in the same run with the
ratio. Every search works on the same small global space, the same Fashion-MNIST subset (the
evaluator's search split: `--subset` images, a fifth held out), the same seed, with Adam at
0.001 and batches of 128, up to `--epochs` epochs (the highest fidelity) per candidate, on
the same budget of training epochs:

1. KerasTuner's `Hyperband` (`max_epochs` = `--epochs`, `factor` = `--eta`, one round of
   brackets, `seed` 0), the peer Keras users reach for. Its models are nasdsl's own
   (`build_model` of the same architectures), trained with `fit` on the split's arrays. The
   epochs it trains (counted by a callback) are the budget every other search gets.
2. nasdsl's `hyperband { min_epochs = 1; eta }` on `budget = E epochs`, in this process.
3. nasdsl's `random` at full fidelity (every candidate trained `--epochs` epochs) on
   ⌊E / epochs⌋ evaluations: the same training budget.
4. nasdsl's `asha` and `hyperband` with `run { workers = 2 }` (a local Dask cluster of two
   single-threaded workers) on the same budget: cores kept busy = CPU seconds of the
   workers' processes / wall seconds of the run / 2 cores (sampled every 0.2 s with psutil).

Figures: the best validation accuracy at the highest fidelity each search reached (an
evaluation below it screens candidates and never counts), and the wall seconds each took
(in this process: TensorFlow already imported; the Dask runs include starting the cluster).

    python bench/bench_multi_fidelity.py [--subset 3000] [--epochs 9] [--eta 3]
                                         [--data DIR] [--skip-dask]

Needs the `keras` and `dask` extras, and KerasTuner, a bench-only dependency:
`pip install -e '.[bench]'` (or `pip install keras-tuner`). Fashion-MNIST's four files are
read from `--data` (default: `../shared/data/fashion-mnist` beside the repository, when it
exists; else where nasdsl finds the dataset).
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from nasdsl.training import runtime

ROOT = Path(__file__).resolve().parent.parent
LAYERS, OPS, FILTERS = (3, 4), ("conv3x3", "maxpool2x2"), (8, 16, 24, 32)

EXPERIMENT = """\
experiment bench_mf_{name}
seed = 0
budget = {budget}
space global {{ layers = {lo}..{hi}; ops = [{ops}]; filters = [{filters}] }}
evaluate keras {{ dataset = fashion_mnist;{data} epochs = {epochs}; batch_size = 128; subset = {subset}; validation = 0.2 }}
search {search}
run {{ workers = {workers} }}
output = "{out}"
"""


def _line(name: str, value: float, unit: str, baselines: dict[str, float],
          digits: int = 3, note: str = "") -> None:
    unit = f" {unit}" if unit else ""
    parts = [f"{name} {value:,.{digits}f}{unit}"]
    for label, base in baselines.items():
        ratio = f"{value / base:.2f}" if base else "n/a"
        parts.append(f"baseline_{label} {base:,.{digits}f}{unit} ratio {ratio}")
    print(" | ".join(parts) + (f" ({note})" if note else ""), flush=True)


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# --- KerasTuner ----------------------------------------------------------------------------
def _counter(top: int) -> tuple[Any, dict[str, Any]]:
    """A Keras callback, and the tally it keeps: the epochs trained (`epochs`) and the
    validation accuracy of every training that reached the highest fidelity `top`
    (`at_top`). KerasTuner deep-copies callbacks for each trial: the tally lives outside
    the instance, so every copy adds to it."""
    import keras

    tally: dict[str, Any] = {"epochs": 0, "at_top": []}

    class Counter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            tally["epochs"] += 1
            if epoch + 1 == top:
                tally["at_top"].append(float((logs or {})["val_accuracy"]))

    return Counter(), tally


def kerastuner(split: Any, args: argparse.Namespace, folder: Path) -> tuple[float, float, int]:
    """(best validation accuracy at the highest fidelity, wall seconds, epochs trained) of one
    round of KerasTuner's Hyperband over the space."""
    import keras
    import keras_tuner as kt

    from nasdsl.spaces.global_space import GlobalArch, GlobalSpace
    from nasdsl.training.builder import build_model

    space = GlobalSpace(layers=LAYERS, ops=OPS, filters=FILTERS)

    def build(hp: Any) -> Any:
        depth = hp.Int("layers", LAYERS[0], LAYERS[1])
        words = []
        for i in range(depth):
            op = hp.Choice(f"op{i}", list(OPS))
            words.append(f"{op}/{hp.Choice(f'filters{i}', list(FILTERS))}"
                         if op.startswith("conv") else op)
        arch = GlobalArch.parse(" ".join(words))
        model = build_model(space.to_descriptor(arch), split.x_train.shape[1:], 10)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    keras.utils.set_random_seed(0)
    counter, tally = _counter(args.epochs)
    tuner = kt.Hyperband(build, objective="val_accuracy", max_epochs=args.epochs,
                         factor=args.eta, hyperband_iterations=1, seed=0,
                         directory=str(folder), project_name="kerastuner", overwrite=True)
    start = time.perf_counter()
    tuner.search(split.x_train, split.y_train, validation_data=(split.x_validation,
                                                                split.y_validation),
                 batch_size=128, callbacks=[counter], verbose=0)
    wall = time.perf_counter() - start
    return max(tally["at_top"], default=float("nan")), wall, tally["epochs"]


# --- nasdsl --------------------------------------------------------------------------------
def _experiment(name: str, search: str, budget: str, args: argparse.Namespace, folder: Path,
                workers: int = 1) -> Path:
    out = folder / name
    data = f' data = "{args.data}";' if args.data else ""
    text = EXPERIMENT.format(name=name, budget=budget, lo=LAYERS[0], hi=LAYERS[1],
                             ops=", ".join(OPS), filters=", ".join(map(str, FILTERS)),
                             data=data, epochs=args.epochs, subset=args.subset,
                             search=search, workers=workers, out=out)
    path = folder / f"{name}.nas"
    path.write_text(text)
    return path


def _best_at_top(out: Path, top: int) -> tuple[float, int, int]:
    """(best validation accuracy at `top` epochs, evaluations, epochs trained) of a run."""
    db = sqlite3.connect(out / "journal.sqlite")
    rows = [json.loads(m) for (m,) in db.execute(
        "SELECT metrics FROM evaluations WHERE status = 'ok'")]
    db.close()
    best = max((m["validation_accuracy"] for m in rows if m.get("epochs", top) == top),
               default=float("nan"))
    trained = sum(m.get("epochs_trained", m.get("epochs", top)) for m in rows
                  if "repeat_of" not in m)
    return best, len(rows), trained


def nasdsl_search(path: Path, top: int) -> tuple[float, float, int, int]:
    """(best validation accuracy at the highest fidelity, wall seconds, evaluations, epochs
    trained) of `nasdsl run` of `path` in this process."""
    from nasdsl.dsl import load
    from nasdsl.runner import run_plan

    plan = load(path)
    start = time.perf_counter()
    run_plan(plan, fresh=True)
    wall = time.perf_counter() - start
    best, n, trained = _best_at_top(plan.output, top)
    return best, wall, n, trained


class _Sampler:
    """CPU seconds of this process's child processes (the Dask workers), sampled while they
    live: a process's counters are kept at their last reading once it has exited."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            for child in self._me.children(recursive=True):
                try:
                    t = child.cpu_times()
                    self.seen[child.pid] = t.user + t.system
                except psutil.Error:
                    pass

    def __enter__(self) -> "_Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def cpu(self) -> float:
        return sum(self.seen.values())


def busy(path: Path, top: int) -> tuple[float, float, float]:
    """(cores kept busy of 2, best validation accuracy at the highest fidelity, wall
    seconds) of a run on a local Dask cluster of two workers."""
    from nasdsl.dsl import load
    from nasdsl.runner import run_plan

    plan = load(path)
    with _Sampler() as sampler:
        start = time.perf_counter()
        run_plan(plan, fresh=True)
        wall = time.perf_counter() - start
    best, _, _ = _best_at_top(plan.output, top)
    return sampler.cpu / wall / 2, best, wall


def main() -> None:
    default_data = ROOT.parent / "shared" / "data" / "fashion-mnist"
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--subset", type=int, default=3000, help="images of the search split")
    p.add_argument("--epochs", type=int, default=9, help="the highest fidelity")
    p.add_argument("--eta", type=int, default=3)
    p.add_argument("--data", default=str(default_data) if default_data.is_dir() else None)
    p.add_argument("--skip-dask", action="store_true", help="leave out the two-worker runs")
    args = p.parse_args()
    try:
        import keras_tuner  # noqa: F401
    except ImportError:
        sys.exit("this bench needs KerasTuner: pip install -e '.[bench]' (or keras-tuner)")

    threads = runtime.configure()
    from nasdsl.evaluators.keras_training import KerasEvaluator

    split = KerasEvaluator(data=args.data, subset=args.subset, validation=0.2).split()
    print(f"# {len(split.x_train)} training and {len(split.x_validation)} validation images, "
          f"up to {args.epochs} epochs, eta {args.eta}, TensorFlow threads {threads}, "
          f"load average {_load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-mf-") as tmp:
        folder = Path(tmp)
        kt_best, kt_wall, epochs = kerastuner(split, args, folder)
        print(f"# KerasTuner's Hyperband trained {epochs} epochs; every search gets that "
              f"budget (load average {_load()})", flush=True)
        hb = nasdsl_search(_experiment(
            "hyperband", f"hyperband {{ min_epochs = 1; eta = {args.eta} }}",
            f"{epochs} epochs", args, folder), args.epochs)
        rnd = nasdsl_search(_experiment(
            "random", "random", f"{max(epochs // args.epochs, 1)} evaluations", args, folder),
            args.epochs)
        print(f"# nasdsl hyperband: {hb[2]} evaluations, {hb[3]} epochs trained; random: "
              f"{rnd[2]} evaluations, {rnd[3]} epochs trained (load average {_load()})",
              flush=True)
        _line("hyperband_best_validation_accuracy", hb[0], "", {"random": rnd[0]})
        _line("hyperband_best_validation_accuracy", hb[0], "", {"kerastuner": kt_best})
        _line("hyperband_wall", hb[1], "s", {"kerastuner": kt_wall}, digits=1)
        _line("random_wall", rnd[1], "s", {"hyperband": hb[1]}, digits=1)
        if not args.skip_dask:
            asha = busy(_experiment("asha2", f"asha {{ min_epochs = 1; eta = {args.eta} }}",
                                    f"{epochs} epochs", args, folder, workers=2), args.epochs)
            sync = busy(_experiment("hyperband2",
                                    f"hyperband {{ min_epochs = 1; eta = {args.eta} }}",
                                    f"{epochs} epochs", args, folder, workers=2), args.epochs)
            _line("asha_2_workers_cores_busy", asha[0], "of 2", {"hyperband": sync[0]},
                  digits=2, note=f"load average {_load()}")
            _line("asha_2_workers_wall", asha[2], "s", {"hyperband": sync[2]}, digits=1)
            _line("asha_2_workers_best_validation_accuracy", asha[1], "",
                  {"hyperband": sync[1]})


if __name__ == "__main__":
    main()
