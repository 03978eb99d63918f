"""CIFAR-100 (Krizhevsky 2009): 50,000 + 10,000 32x32 colour images of 100 classes, grouped
into 20 superclasses.

`load_data(label_mode="fine")` returns Keras's uint8 tuples: images (N, 32, 32, 3) channels-last,
labels (N, 1), the 100 fine classes or (label_mode="coarse") the 20 superclasses. The official
archive, `cifar-100-python.tar.gz`, holds one pickled batch for training and one for testing,
read safely (cifar_batches.py); it is found, downloaded and checked like the other data sets.
"""

from __future__ import annotations

from cnnkit.datasets.cifar_batches import open_archive, read_batch
from cnnkit.datasets.store import DatasetSpec, locate

ARCHIVE = "cifar-100-python.tar.gz"
SPEC = DatasetSpec(
    name="cifar-100",
    title="CIFAR-100",
    digests={ARCHIVE: "eb9058c3a382ffc7106e4002c42a8d85"},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    classes=100,
)
CLASSES = {"fine": 100, "coarse": 20}


def load_data(label_mode="fine", path=None):
    """((x_train, y_train), (x_test, y_test)) as Keras gives them. `path`: a folder with the archive."""
    if label_mode not in CLASSES:
        raise ValueError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse'; received {label_mode!r}")
    source = locate(SPEC, path) / ARCHIVE
    key = f"{label_mode}_labels".encode()
    with open_archive(source) as archive:
        train, test = (
            read_batch(archive, f"cifar-100-python/{member}", source, key, CLASSES[label_mode], "CIFAR-100")
            for member in ("train", "test")
        )
    return train, test
