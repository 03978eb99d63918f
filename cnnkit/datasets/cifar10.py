"""CIFAR-10 (Krizhevsky 2009): 50,000 + 10,000 32x32 colour images of 10 classes.

`load_data()` returns Keras's uint8 tuples: images (N, 32, 32, 3) channels-last, labels (N, 1).
The official archive, `cifar-10-python.tar.gz`, holds Python pickles, read safely
(cifar_batches.py). The archive is found, downloaded and checked like the other data sets.
"""

from __future__ import annotations

import numpy as np

from cnnkit.datasets.cifar_batches import open_archive, read_batch
from cnnkit.datasets.store import DatasetSpec, locate

ARCHIVE = "cifar-10-python.tar.gz"
SPEC = DatasetSpec(
    name="cifar-10",
    title="CIFAR-10",
    digests={ARCHIVE: "c58f30108f718f92721af3b95e74349a"},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as Keras gives them. `path`: a folder with the archive."""
    source = locate(SPEC, path) / ARCHIVE
    with open_archive(source) as archive:

        def batch(member):
            return read_batch(archive, f"cifar-10-batches-py/{member}", source, b"labels", 10, "CIFAR-10")

        parts = [batch(f"data_batch_{i}") for i in range(1, 6)]
        test = batch("test_batch")
    train = (np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts]))
    return train, test
