"""Reading the CIFAR archives' batches (CIFAR-10's and CIFAR-100's share the format).

Each batch is a Python pickle of a dict: b"data", one row of 3072 bytes per image (1024 red, then
1024 green, then 1024 blue values), and a list of labels under a key of its own. The pickles are
read with an unpickler that can build only NumPy arrays, lists, dicts and numbers
(safe_pickle.py), so a tampered archive cannot run code.
"""

from __future__ import annotations

import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError
from cnnkit.datasets.safe_pickle import ArraysOnly


def bytes_of(values: np.ndarray, what: str) -> np.ndarray:
    """`values` as uint8 without wrapping: a pixel of 300 is an error, not the 44 a cast makes of it."""
    if values.dtype == np.uint8:
        return values
    if values.dtype.kind not in "iu" or (values.size and (values.min() < 0 or values.max() > 255)):
        low, high = (values.min(), values.max()) if values.size and values.dtype.kind in "iuf" else ("?", "?")
        raise DatasetError(f"{what} must be whole numbers 0..255; found {values.dtype} from {low} to {high}")
    return values.astype(np.uint8)


def open_archive(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except (tarfile.TarError, OSError) as error:
        raise DatasetError(f"{source}: not a readable tar.gz archive ({error})") from None


def read_batch(
    archive: tarfile.TarFile, member: str, source: Path, label_key: bytes, classes: int, title: str
) -> tuple[np.ndarray, np.ndarray]:
    """One batch's images (N, 32, 32, 3) channels-last and labels (N, 1), both uint8."""
    name = member.rsplit("/", 1)[-1]
    try:
        raw = archive.extractfile(member).read()
        batch = ArraysOnly(io.BytesIO(raw), encoding="bytes").load()
        data = bytes_of(np.asarray(batch[b"data"]), f"{source}: {name}'s pixels")
        labels = bytes_of(np.asarray(batch[label_key]), f"{source}: {name}'s labels")
    except (KeyError, AttributeError, pickle.UnpicklingError, EOFError, TypeError, ValueError, MemoryError) as error:
        raise DatasetError(f"{source}: {name} is not a {title} batch ({error})") from None
    if data.ndim != 2 or data.shape[1] != 3072 or len(data) != len(labels):
        raise DatasetError(f"{source}: {name} holds data {data.shape} and {len(labels)} labels")
    if labels.size and labels.max() >= classes:
        raise DatasetError(f"{source}: {name} has label {labels.max()}, outside 0..{classes - 1}")
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels.reshape(-1, 1)
