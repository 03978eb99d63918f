"""Transfer learning, end to end on real data: MNIST digits -> 1,000 Fashion-MNIST images.

1. Train a base network (the tutorial CNN from cnnkit.applications) on all of MNIST.
2. Take its backbone (the convolution blocks), freeze its first two blocks, and put a new head on it.
3. Train the third block and the head on 1,000 Fashion-MNIST images; then unfreeze everything
   and fine-tune at a low learning rate.
Frozen layers keep their weights; a frozen BatchNormalization would also keep its statistics.

Run: python examples/transfer_learning.py [--data ../shared/datasets] [--subset 1000]
(bench/transfer.py runs this against the same network trained from scratch on the same images.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import cnnkit as keras
from cnnkit import applications, layers
from cnnkit.datasets import fashion_mnist, mnist


def images(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, 28, 28, 1).astype("float32") / 255.0


def load(data: str | None, subset: int, seed: int = 0):
    folder = (lambda name: Path(data) / name) if data else (lambda name: None)
    (digits, digit_labels), _ = mnist.load_data(folder("mnist"))
    (clothes, clothes_labels), (test, test_labels) = fashion_mnist.load_data(folder("fashion-mnist"))
    pick = np.random.default_rng(seed).choice(len(clothes), subset, replace=False)
    return (images(digits), digit_labels), (images(clothes[pick]), clothes_labels[pick]), (images(test), test_labels)


def train_base(digits, labels, epochs: int = 2, verbose: int = 2):
    """Step 1: the base network learns digits."""
    base = applications.FashionCNN(classes=10)
    base.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    base.fit(digits, labels, batch_size=64, epochs=epochs, verbose=verbose)
    return base


def new_head() -> list:
    return [
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(10, activation="softmax"),
    ]


def transfer(base, x, y, head_epochs: int = 20, tune_epochs: int = 10, verbose: int = 0):
    """Steps 2 and 3. The first two convolution blocks (edges and strokes, useful for any image)
    stay frozen while the third block and the new head learn clothes; then everything is
    fine-tuned at a low learning rate."""
    backbone = base.backbone_layers
    model = keras.Sequential([layers.Input(shape=(28, 28, 1)), *backbone, *new_head()])
    frozen = backbone[: backbone.index(base.get_layer("pool2")) + 1]
    for layer in frozen:
        layer.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=head_epochs, verbose=verbose)
    for layer in frozen:
        layer.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=tune_epochs, verbose=verbose)
    return model


def from_scratch(x, y, epochs: int = 30, verbose: int = 0):
    """The same architecture, trained only on the small data set, for as many epochs in all."""
    model = applications.FashionCNN(include_top=False)
    model.replace_head(new_head())
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=verbose)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="folder holding mnist/ and fashion-mnist/ (default: search)")
    parser.add_argument("--subset", type=int, default=1000)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    (digits, digit_labels), (x, y), (test, test_labels) = load(args.data, args.subset)
    base = train_base(digits, digit_labels)
    model = transfer(base, x, y)
    _, accuracy = model.evaluate(test, test_labels, verbose=0)
    print(f"transfer from MNIST, trained on {len(x)} Fashion-MNIST images: test accuracy {accuracy:.4f}")


if __name__ == "__main__":
    main()
