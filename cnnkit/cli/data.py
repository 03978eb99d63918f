"""Data sets for the command line: by name, as float images (N, H, W, C) in [0, 1] with class names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnkit.cli.errors import CommandError
from cnnkit.datasets import cifar10, fashion_mnist, mnist
from cnnkit.datasets.idx import DatasetError


@dataclass
class ImageData:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])


LOADERS = {
    "mnist": (mnist.load_data, [str(d) for d in range(10)]),
    "fashion_mnist": (fashion_mnist.load_data, list(fashion_mnist.CLASS_NAMES)),
    "cifar10": (cifar10.load_data, list(cifar10.CLASS_NAMES)),
}


def load(name: str, folder: str | None = None) -> ImageData:
    if name not in LOADERS:
        raise CommandError(f"unknown data set {name!r}; known: {', '.join(sorted(LOADERS))}")
    loader, class_names = LOADERS[name]
    try:
        (x, y), (xt, yt) = loader(folder)
    except (DatasetError, OSError) as error:
        raise CommandError(f"cannot load {name}: {error}") from None

    def images(array: np.ndarray) -> np.ndarray:
        array = array[..., None] if array.ndim == 3 else array
        return array.astype(np.float32) / 255.0

    labels = lambda y_: y_.reshape(-1).astype(np.int64)  # noqa: E731 (CIFAR's labels are (N, 1))
    return ImageData(name, images(x), labels(y), images(xt), labels(yt), class_names)
