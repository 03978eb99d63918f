"""Reading the pickles inside data set files without letting them run code.

CIFAR's batches are Python pickles, and the IMDB and Reuters `.npz` files keep their ragged
sequences as object arrays, which NumPy can only store pickled. `np.load(allow_pickle=True)` or
`pickle.load` would run whatever a tampered file asks for; this unpickler builds only NumPy
arrays and plain data (lists, dicts, numbers, strings, bytes) and refuses every other global.
"""

from __future__ import annotations

import codecs
import io
import pickle
import zipfile
from pathlib import Path

import numpy as np

from cnnkit.datasets.idx import DatasetError

# The only globals such a file needs: how NumPy rebuilds an array or a number, and how bytes are written.
_OBJECTS = {
    ("numpy.core.multiarray", "_reconstruct"): np.empty(0).__reduce__()[0],
    ("numpy._core.multiarray", "_reconstruct"): np.empty(0).__reduce__()[0],
    ("numpy.core.multiarray", "scalar"): np.int64(0).__reduce__()[0],  # a NumPy number inside a list
    ("numpy._core.multiarray", "scalar"): np.int64(0).__reduce__()[0],
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,  # how Python 3 writes bytes at pickle protocol 2; it only encodes text
}


class ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        found = _OBJECTS.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}: a data set file holds only arrays")
        return found  # whichever NumPy wrote the file, this NumPy's own function


def read_npz(path: Path, title: str) -> dict[str, np.ndarray]:
    """Every array of an `.npz` file; object arrays through `ArraysOnly`, the rest unpickled never."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                name.removesuffix(".npy"): _read_npy(io.BytesIO(archive.read(name)))
                for name in archive.namelist()
                if name.endswith(".npy")
            }
    except FileNotFoundError:
        raise DatasetError(f"{title}: {path} not found") from None
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, pickle.UnpicklingError, MemoryError) as error:
        raise DatasetError(f"{path}: not a readable {title} .npz file ({error})") from None


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version in ((2, 0), (3, 0)):
        # 3.0 differs from 2.0 only in reading the header as UTF-8; NumPy writes it in ASCII.
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f".npy format version {version} is not known")
    if not dtype.hasobject:
        stream.seek(0)
        return np.lib.format.read_array(stream, allow_pickle=False)
    array = ArraysOnly(stream, encoding="latin1").load()
    if not isinstance(array, np.ndarray) or array.shape != tuple(shape):
        raise ValueError(f"an object array of shape {shape} was expected")
    return array
