"""Data sets with Keras's `load_data()`: mnist, fashion_mnist, cifar10, cifar100, digits, imdb, reuters; and image
folders."""

from cnnkit.datasets import cifar10, cifar100, digits, fashion_mnist, image_folder, imdb, mnist, reuters
from cnnkit.datasets.idx import DatasetError

__all__ = ["DatasetError", "cifar10", "cifar100", "digits", "fashion_mnist", "image_folder", "imdb", "mnist", "reuters"]
