"""CIFAR-10 (Krizhevsky 2009): 50,000 + 10,000 32x32 colour images of 10 classes.

`load_data()` returns Keras's uint8 tuples: images (N, 32, 32, 3) channels-last, labels (N, 1).
The official archive, `cifar-10-python.tar.gz`, holds Python pickles; they are read with an
unpickler that can build only NumPy arrays, lists, dicts and numbers, so a tampered archive
cannot run code. The archive is found, downloaded and checked like the other data sets.
"""

from __future__ import annotations

import codecs
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError
from cnnkit.datasets.store import DatasetSpec, locate

ARCHIVE = "cifar-10-python.tar.gz"
SPEC = DatasetSpec(
    name="cifar-10",
    title="CIFAR-10",
    md5={ARCHIVE: "c58f30108f718f92721af3b95e74349a"},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")

# The only globals a CIFAR batch needs: how NumPy rebuilds an array (and how bytes are written).
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),  # how Python 3 writes bytes at pickle protocol 2; it only encodes text
}


_OBJECTS = {
    "_reconstruct": np.empty(0).__reduce__()[0],
    "ndarray": np.ndarray,
    "dtype": np.dtype,
    "encode": codecs.encode,
}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a CIFAR batch holds only arrays")
        return _OBJECTS[name]  # whichever NumPy wrote the file, this NumPy's own function


def _read_batch(archive: tarfile.TarFile, member: str, source: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        raw = archive.extractfile(f"cifar-10-batches-py/{member}").read()
        batch = _ArraysOnly(io.BytesIO(raw), encoding="bytes").load()
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    except (KeyError, AttributeError, pickle.UnpicklingError, EOFError, TypeError, ValueError) as error:
        raise DatasetError(f"{source}: {member} is not a CIFAR-10 batch ({error})") from None
    if data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(labels):
        raise DatasetError(f"{source}: {member} holds data {data.shape} and {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise DatasetError(f"{source}: {member} has label {labels.max()}, outside 0..9")
    # Each row is 1024 red, then 1024 green, then 1024 blue values: (N, 3, 32, 32) -> channels-last.
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels.reshape(-1, 1)


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as Keras gives them. `path`: a folder with the archive."""
    source = locate(SPEC, path) / ARCHIVE
    try:
        archive = tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise DatasetError(f"{source}: not a readable tar.gz archive ({error})") from None
    with archive:
        parts = [_read_batch(archive, f"data_batch_{i}", source) for i in range(1, 6)]
        test = _read_batch(archive, "test_batch", source)
    train = (np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts]))
    return train, test
