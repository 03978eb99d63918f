"""A damaged HDF5 file can send the HDF5 C library into a loop it never leaves (found by
tests/test_properties.py: some runs of zeroed bytes do it), and C code cannot be interrupted from
Python. So before cnnkit reads an HDF5 file it walks the file's structure (attributes, groups,
dataset shapes) in a forked child process with a time limit: a file the library cannot walk in
time is refused in one line, and the reader never starts on it.
"""

from __future__ import annotations

import os
import signal
import time

import h5py

TIME_LIMIT = 20.0  # seconds; a sound file's structure takes milliseconds, a large model's a second


def _walk(source) -> None:
    with h5py.File(source, "r") as handle:
        for key in handle.attrs:
            handle.attrs[key]

        def visit(_, item) -> None:
            for key in item.attrs:
                item.attrs[key]
            if isinstance(item, h5py.Dataset):
                item.shape, item.dtype  # noqa: B018 (reading them is the point)

        handle.visititems(visit)


def check_walkable(source, name: str, seconds: float | None = None) -> None:
    """Refuse `source` (a path or an in-memory file) when HDF5 cannot walk it within `seconds`
    (TIME_LIMIT by default). Where processes cannot fork (Windows), the file is read without this check."""
    if not hasattr(os, "fork"):
        return
    seconds = TIME_LIMIT if seconds is None else seconds
    child = os.fork()
    if child == 0:  # the child only walks the file and reports by its exit status
        status = 1
        try:
            _walk(source)
            status = 0
        finally:
            os._exit(status)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, _ = os.waitpid(child, os.WNOHANG)
        if done:
            return  # walked, or failed: the reader meets the same error and reports it
        time.sleep(0.005)
    os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    raise ValueError(
        f"{name}: the HDF5 library did not finish reading its structure in {seconds:.0f} s; the file is damaged"
    )
