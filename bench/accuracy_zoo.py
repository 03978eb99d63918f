"""Accuracy of zoo models on real Fashion-MNIST, in one CPU run.

Targets (issue 3): LeNet5 >= 89% test accuracy after 3 epochs; ResNet20 >= 90% after 2 epochs.
LeNet-5 runs in both variants, the paper's (tanh, average pooling) and the modern one (ReLU,
max-pooling). All train on the 28x28x1 images as they come (LeNet5 pads its first convolution,
as the paper padded MNIST to 32x32) with Adam (learning rate 1e-3), and in the last epoch the
learning rate drops to 3e-4 (a step decay, from a callback).

    .venv/bin/python bench/accuracy_zoo.py [--data ../shared/datasets] [--only lenet5|resnet20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

import cnnkit as keras
from cnnkit.applications import get_model
from cnnkit.datasets import fashion_mnist

RUNS = {  # name: (epochs, batch size, target accuracy)
    "lenet5": (3, 16, 0.89),
    "lenet5_modern": (3, 16, 0.89),
    "resnet20": (2, 32, 0.90),
}


class LastEpochDecay(keras.callbacks.Callback):
    """Learning rate x0.3 for the last epoch: the step decay of the classic recipes, in one step."""

    def __init__(self, epochs: int) -> None:
        super().__init__()
        self.epochs = epochs

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epochs - 1:
            self.model.optimizer.learning_rate = 3e-4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="folder holding fashion-mnist/ (default: search)")
    parser.add_argument("--only", choices=sorted(RUNS), default=None)
    args = parser.parse_args()
    (x, y), (xt, yt) = fashion_mnist.load_data(Path(args.data) / "fashion-mnist" if args.data else None)
    prepare = lambda images: images.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    x, xt = prepare(x), prepare(xt)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    ok = True
    for name, (epochs, batch_size, target) in RUNS.items():
        if args.only and name != args.only:
            continue
        keras.utils.set_random_seed(0)
        model = get_model(name, input_shape=(28, 28, 1), classes=10)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=2, callbacks=[LastEpochDecay(epochs)])
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(xt, yt, verbose=0)
        verdict = "PASS" if accuracy >= target else "FAIL"
        print(
            f"{name}: test accuracy {accuracy:.4f} (target {target}) after {epochs} epochs, batch {batch_size}, "
            f"in {seconds:.0f}s: {verdict}",
            flush=True,
        )
        ok &= accuracy >= target
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
