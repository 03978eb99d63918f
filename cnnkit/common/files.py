"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import errno
import glob
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _temporary_name(path: str) -> str:
    """The temporary file for `path` names its target and the writing process: `.model.keras.123.tmp`."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{os.getpid()}.tmp")


def sweep_leftovers(path: str) -> None:
    """Remove the temporary files a killed writer of `path` left (their process is gone), so
    repeated kills during saving cannot fill the disk."""
    folder, name = os.path.split(path)
    for leftover in Path(folder).glob(f".{glob.escape(name)}.*.tmp"):
        pid = leftover.name[len(name) + 2 : -len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call `write(stream)` on a temporary file beside `path`, flush it to disk, then rename it over
    `path` (an atomic step on POSIX and Windows) and flush the folder. A crash mid-write leaves the
    previous file intact; its temporary file is removed by the next save of the same path. Errors
    name `path`, not the temporary file."""
    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    temporary = _temporary_name(path)
    try:
        os.makedirs(folder, exist_ok=True)
        sweep_leftovers(path)
        with open(temporary, "wb") as stream:  # permissions as a plain open() gives them
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        _sync_folder(folder)
    except OSError as error:
        _remove(temporary)
        reason = error.strerror or str(error)
        raise type(error)(error.errno or errno.EIO, f"cannot write {path}: {reason}") from None
    except BaseException:
        _remove(temporary)
        raise


def _remove(temporary: str) -> None:
    try:
        os.remove(temporary)
    except OSError:
        pass


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX; Windows has no folder handles to flush)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
