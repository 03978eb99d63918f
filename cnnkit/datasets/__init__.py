"""Data sets with Keras's `load_data()`: mnist, fashion_mnist, cifar10."""

from cnnkit.datasets import cifar10, fashion_mnist, mnist
from cnnkit.datasets.idx import DatasetError

__all__ = ["DatasetError", "cifar10", "fashion_mnist", "mnist"]
