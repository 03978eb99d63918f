"""Reading the IDX format of MNIST-style files: a 4-byte magic, big-endian sizes, raw bytes.

Everything about a file is checked before an array is returned, so a damaged file is an
error that names it, never a silently wrong array.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import struct
import zlib
from pathlib import Path

import numpy as np

UNSIGNED_BYTE = 0x08
MAX_ELEMENTS = 2**31  # 2 GiB: far above any IDX data set, far below a crafted header's 4 * 2**32


class DatasetError(RuntimeError):
    """A data set file is missing, corrupt or could not be downloaded."""


def read_idx_gz(path: Path) -> np.ndarray:
    """The uint8 array in a gzip-compressed IDX file. The header is read first and then exactly the
    bytes it declares, so a file padded with gigabytes is refused without inflating them."""
    try:
        with gzip.open(path, "rb") as stream:
            head = stream.read(4)
            if len(head) < 4 or head[0] != 0 or head[1] != 0:
                raise DatasetError(f"{path}: not an IDX file (wrong magic number {head.hex()})")
            if head[2] != UNSIGNED_BYTE:
                raise DatasetError(f"{path}: IDX element type 0x{head[2]:02x} is not unsigned bytes (0x08)")
            rank = head[3]
            sizes = stream.read(4 * rank)
            if rank == 0 or len(sizes) < 4 * rank:
                raise DatasetError(f"{path}: IDX header is truncated or declares rank {rank}")
            dims = struct.unpack(f">{rank}I", sizes)
            expected = math.prod(dims)
            if expected > MAX_ELEMENTS:
                raise DatasetError(f"{path}: IDX header declares shape {dims}, over {MAX_ELEMENTS} bytes")
            data = bytearray(stream.read(expected))
            extra = stream.read(1)  # reaching the end makes gzip check the CRC and length
    except FileNotFoundError:
        raise DatasetError(f"{path}: file not found") from None
    except (OSError, EOFError, zlib.error) as error:
        raise DatasetError(f"{path}: not a complete gzip file ({error}); delete it and load again") from None
    if len(data) != expected or extra:
        held = f"{len(data)} bytes" if len(data) != expected else "more bytes than that"
        raise DatasetError(f"{path}: IDX header declares shape {dims} ({expected} bytes) but the file holds {held}")
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def check_official(array: np.ndarray, path: Path, official: dict[tuple, str], title: str) -> None:
    """An array with an official file's shape must have its contents too: a changed copy (labels
    edited, images altered) of the published data set is refused, not trained on silently. Files of
    other shapes (a subset, the tests' small files) are the user's own and pass."""
    digest = official.get(tuple(array.shape))
    if digest is not None and hashlib.sha256(array.tobytes()).hexdigest() != digest:
        raise DatasetError(
            f"{path}: it has the shape of the official {title} file {tuple(array.shape)} but not its contents "
            "(SHA-256 of the data differs); delete it so a good copy is found or downloaded"
        )
