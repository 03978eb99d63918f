"""Accuracy of the two tutorial programs on the real data sets, 3 epochs each.

Program 1 (the Fashion-MNIST CNN) on Fashion-MNIST: target >= 90% test accuracy.
Program 2 (LeNet-5 "in 9 lines") on MNIST padded to 32x32: target >= 98%.

    .venv/bin/python bench/accuracy_core.py [--data ../shared/datasets] [--epochs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from programs import fashion_cnn, lenet_9_lines  # noqa: E402

import cnnkit as keras  # noqa: E402
from cnnkit.datasets import fashion_mnist, mnist  # noqa: E402


def run(name: str, model, data, epochs: int, target: float) -> bool:
    (x_train, y_train), (x_test, y_test) = data
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=2)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    verdict = "PASS" if accuracy >= target else "FAIL"
    print(f"{name}: test accuracy {accuracy:.4f} (target {target}) after {epochs} epochs in {seconds:.0f}s: {verdict}")
    return accuracy >= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="folder holding mnist/ and fashion-mnist/ (default: search)")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    folder = (lambda name: Path(args.data) / name) if args.data else (lambda name: None)

    (x, y), (xt, yt) = fashion_mnist.load_data(folder("fashion-mnist"))
    prepare = lambda images: images.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    fashion = ((prepare(x), keras.utils.to_categorical(y)), (prepare(xt), keras.utils.to_categorical(yt)))
    ok = run("Program 1 on Fashion-MNIST", fashion_cnn(), fashion, args.epochs, 0.90)

    (x, y), (xt, yt) = mnist.load_data(folder("mnist"))
    pad = lambda images: np.pad(images, ((0, 0), (2, 2), (2, 2)))[..., None].astype("float32") / 255.0
    lenet = lenet_9_lines()
    lenet.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    ok &= run("Program 2 on MNIST (32x32)", lenet, ((pad(x), y), (pad(xt), yt)), args.epochs, 0.98)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
