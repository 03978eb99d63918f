"""CIFAR-10 (Krizhevsky 2009): 50,000 + 10,000 32x32 colour images of 10 classes.

`load_data()` returns Keras's uint8 tuples: images (N, 32, 32, 3) channels-last, labels (N, 1).
The official archive, `cifar-10-python.tar.gz`, holds Python pickles; they are read with an
unpickler that can build only NumPy arrays, lists, dicts and numbers (safe_pickle.py), so a
tampered archive cannot run code. The archive is found, downloaded and checked like the other data sets.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError
from cnnkit.datasets.safe_pickle import ArraysOnly
from cnnkit.datasets.store import DatasetSpec, locate

ARCHIVE = "cifar-10-python.tar.gz"
SPEC = DatasetSpec(
    name="cifar-10",
    title="CIFAR-10",
    digests={ARCHIVE: "c58f30108f718f92721af3b95e74349a"},
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _bytes_of(values: np.ndarray, what: str) -> np.ndarray:
    """`values` as uint8 without wrapping: a pixel of 300 is an error, not the 44 a cast makes of it."""
    if values.dtype == np.uint8:
        return values
    if values.dtype.kind not in "iu" or (values.size and (values.min() < 0 or values.max() > 255)):
        low, high = (values.min(), values.max()) if values.size and values.dtype.kind in "iuf" else ("?", "?")
        raise DatasetError(f"{what} must be whole numbers 0..255; found {values.dtype} from {low} to {high}")
    return values.astype(np.uint8)


def _read_batch(archive: tarfile.TarFile, member: str, source: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        raw = archive.extractfile(f"cifar-10-batches-py/{member}").read()
        batch = ArraysOnly(io.BytesIO(raw), encoding="bytes").load()
        data = _bytes_of(np.asarray(batch[b"data"]), f"{source}: {member}'s pixels")
        labels = _bytes_of(np.asarray(batch[b"labels"]), f"{source}: {member}'s labels")
    except (KeyError, AttributeError, pickle.UnpicklingError, EOFError, TypeError, ValueError, MemoryError) as error:
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
