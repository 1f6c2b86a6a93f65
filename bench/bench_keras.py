"""Training speed through the Keras evaluator against a plain hand-written `model.fit`.

One line per figure: name, value, unit, and the baseline measured in the same run with the
ratio. The same architecture (built by `nasdsl.training.build_model`) trains on the same
Fashion-MNIST images for the same epochs and batch size, in the same process (so TensorFlow's
threads and determinism are the same for both):

- `evaluator`: `KerasEvaluator.evaluate` (tf.data pipeline: cache, seeded shuffle, batch,
  prefetch); images/s from its `training_time` metric (the `fit` call).
- `plain`: `model.compile(...)` then `model.fit(x, y, batch_size, epochs, shuffle=True)` on
  numpy arrays, timed around `fit`.
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

    def plain_fit() -> float:
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = build_model(descriptor, (28, 28, 1), 10)
        model.compile(optimizer=keras.optimizers.Adam(0.001),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, batch_size=args.batch_size, epochs=args.epochs, shuffle=True, verbose=0)
        return time.perf_counter() - start

    plain_eval.evaluate(GlobalArch.parse("conv3x3/32 maxpool2x2"), seed=0)  # warm TensorFlow
    ours, plain, jit = [], [], []
    for _ in range(args.repeats):
        ours.append(plain_eval.evaluate(arch, seed=0).metrics["training_time"])
        plain.append(plain_fit())
    jit.append(jit_eval.evaluate(arch, seed=0).metrics["training_time"])
    _line("training through the evaluator", images / min(ours), "images/s",
          "plain model.fit", images / min(plain))
    _line("training through the evaluator, jit_compile", images / min(jit), "images/s",
          "without jit_compile", images / min(ours))

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
    step = min(plain) / (images / args.batch_size)
    _line("build + compile a model", min(build), "s", "one training step", step)
    _line("first training step (graph tracing)", min(first), "s", "one training step", step)


if __name__ == "__main__":
    main()
