"""Data sets with Keras's `load_data()`: mnist, fashion_mnist."""

from cnnkit.datasets import fashion_mnist, mnist
from cnnkit.datasets.idx import DatasetError

__all__ = ["DatasetError", "fashion_mnist", "mnist"]
