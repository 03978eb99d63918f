"""Reading the IDX format of MNIST-style files: a 4-byte magic, big-endian sizes, raw bytes.

Everything about a file is checked before an array is returned, so a damaged file is an
error that names it, never a silently wrong array.
"""

from __future__ import annotations

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

UNSIGNED_BYTE = 0x08


class DatasetError(RuntimeError):
    """A data set file is missing, corrupt or could not be downloaded."""


def read_idx_gz(path: Path) -> np.ndarray:
    """The uint8 array in a gzip-compressed IDX file."""
    try:
        with gzip.open(path, "rb") as stream:
            data = bytearray(stream.read())  # gzip checks the CRC and length at the end
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path}: not a complete gzip file ({error}); delete it and load again") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DatasetError(f"{path}: not an IDX file (wrong magic number {bytes(data[:4]).hex()})")
    if data[2] != UNSIGNED_BYTE:
        raise DatasetError(f"{path}: IDX element type 0x{data[2]:02x} is not unsigned bytes (0x08)")
    rank = data[3]
    header = 4 + 4 * rank
    if rank == 0 or len(data) < header:
        raise DatasetError(f"{path}: IDX header is truncated or declares rank {rank}")
    dims = struct.unpack(f">{rank}I", bytes(data[4:header]))
    expected = header + math.prod(dims)
    if len(data) != expected:
        raise DatasetError(
            f"{path}: IDX header declares shape {dims} ({expected} bytes) but the file holds {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
