"""Training speed through the Keras evaluator against a plain hand-written `model.fit`.

One line per figure: name, value, unit, and the baseline measured in the same run with the
ratio. The same architecture (built by `nasdsl.training.build_model`) trains on the same
Fashion-MNIST images for the same epochs and batch size, in the same process (so TensorFlow's
threads and determinism are the same for both):

- `evaluator`: `KerasEvaluator.evaluate` (tf.data pipeline: each epoch's order drawn from
  seed and epoch, batch, prefetch; one `fit` call per epoch, the held-out images scored after
  each for the learning curve, which the timing leaves out).
- `plain`: `model.compile(...)` then `model.fit(x, y, batch_size, epochs, shuffle=True)` on
  numpy arrays.

Both are timed around their `fit` call, in wall seconds and in the CPU seconds of the whole
process (every TensorFlow thread): images per CPU second compare fairly on a machine other
work shares, where wall time mostly measures waiting.
- `evaluator, jit_compile`: the evaluator with XLA on (it is off by default; this says why).
- build + compile: seconds from descriptor to a compiled model (`build_model` + `compile`),
  and the first training step, which traces the graph.

Timed alternately, best of `--repeats` each.

    python bench/bench_keras.py [--images 6000] [--epochs 2] [--data DIR]

`--data` is a folder holding Fashion-MNIST's four `.gz` files when neither the Keras cache nor
Debian's `/usr/share/datasets` has them (default: `../shared/data/fashion-mnist` beside the
repository, when it exists).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from nasdsl.training import runtime

ARCH = "conv3x3/32 conv3x3/32 maxpool2x2 conv3x3/64 maxpool2x2"
ROOT = Path(__file__).resolve().parent.parent


def _line(name: str, value: float, unit: str, base_name: str, base: float) -> None:
    print(f"{name}: {value:,.1f} {unit} | {base_name}: {base:,.1f} {unit} "
          f"(ratio {value / base:.2f})")


def main() -> None:
    default_data = ROOT.parent / "shared" / "data" / "fashion-mnist"
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=6000, help="training images per epoch")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--data", default=str(default_data) if default_data.is_dir() else None)
    args = p.parse_args()

    threads = runtime.configure()
    import keras

    from nasdsl.evaluators.keras_training import KerasEvaluator
    from nasdsl.spaces.global_space import GlobalArch, GlobalSpace
    from nasdsl.training.builder import build_model

    space = GlobalSpace(layers=5, ops=("conv3x3", "maxpool2x2"), filters=(32, 64))
    arch = GlobalArch.parse(ARCH)
    held = 0.1
    subset = int(round(args.images / (1 - held)))

    def evaluator(jit: bool) -> KerasEvaluator:
        return KerasEvaluator(data=args.data, epochs=args.epochs, batch_size=args.batch_size,
                              subset=subset, validation=held, space=space, jit_compile=jit)

    plain_eval, jit_eval = evaluator(False), evaluator(True)
    split = plain_eval.split()
    x, y = split.x_train, split.y_train
    images = len(x) * args.epochs
    print(f"# {ARCH}: {len(x)} images x {args.epochs} epochs, batch {args.batch_size}, "
          f"{threads} threads")
    descriptor = space.to_descriptor(arch)

    fits: list[tuple[float, float]] = []
    """(wall, CPU) seconds of every `fit` call, in order."""
    fit = keras.Model.fit

    def timed_fit(model, *a, **k):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return fit(model, *a, **k)
        finally:
            fits.append((time.perf_counter() - wall, time.process_time() - cpu))

    keras.Model.fit = timed_fit

    def plain_fit() -> None:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = build_model(descriptor, (28, 28, 1), 10)
        model.compile(optimizer=keras.optimizers.Adam(0.001),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      jit_compile=False)
        model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0)

    def last_fit(run) -> tuple[float, float]:
        """(wall, CPU) seconds of the `fit` calls of `run` (the evaluator's: one per epoch)."""
        before = len(fits)
        run()
        calls = fits[before:]
        return sum(w for w, _ in calls), sum(c for _, c in calls)

    plain_eval.evaluate(GlobalArch.parse("conv3x3/32 maxpool2x2"), seed=0)  # warm TensorFlow
    ours, plain = [], []
    for _ in range(args.repeats):
        ours.append(last_fit(lambda: plain_eval.evaluate(arch, seed=0)))
        plain.append(last_fit(plain_fit))
    jit = [last_fit(lambda: jit_eval.evaluate(arch, seed=0))]
    keras.Model.fit = fit
    best = {name: (images / min(w for w, _ in t), images / min(c for _, c in t))
            for name, t in (("ours", ours), ("plain", plain), ("jit", jit))}
    _line("training through the evaluator", best["ours"][0], "images/s",
          "plain model.fit", best["plain"][0])
    _line("training through the evaluator", best["ours"][1], "images per CPU second",
          "plain model.fit", best["plain"][1])
    _line("training through the evaluator, jit_compile", best["jit"][1],
          "images per CPU second", "without jit_compile", best["ours"][1])

    build, first = [], []
    for _ in range(3):
        keras.backend.clear_session()
        start = time.perf_counter()
        model = build_model(descriptor, (28, 28, 1), 10)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        build.append(time.perf_counter() - start)
        start = time.perf_counter()
        model.train_on_batch(x[:args.batch_size], y[:args.batch_size])
        first.append(time.perf_counter() - start)
    step = min(w for w, _ in plain) / (images / args.batch_size)
    _line("build + compile a model", min(build), "s", "one training step", step)
    _line("first training step (graph tracing)", min(first), "s", "one training step", step)


if __name__ == "__main__":
    main()
