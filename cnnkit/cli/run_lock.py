"""One writer per run folder: `cnnkit train --out X` holds X/.lock (its process id) while it runs,
so a second run into the same folder is refused instead of deleting the first one's backup and
continuing its training. A lock left by a killed process is taken over."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from cnnkit.cli.errors import CommandError
from cnnkit.common.files import process_alive

LOCK = ".lock"


@contextlib.contextmanager
def run_lock(out: Path) -> Iterator[None]:
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} is a file; give a folder for the run")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"cannot make the run folder {out}: {error.strerror or error}") from None
    lock = out / LOCK
    _take(lock, out)
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def _take(lock: Path, out: Path) -> None:
    for _ in range(2):  # a second try after removing a dead process's lock
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None and holder != os.getpid() and process_alive(holder):
                raise CommandError(
                    f"{out} is in use by another cnnkit run (process {holder}); wait for it or choose another --out"
                ) from None
            lock.unlink(missing_ok=True)
            continue
        except OSError as error:
            raise CommandError(f"cannot write in the run folder {out}: {error.strerror or error}") from None
        with os.fdopen(descriptor, "w") as stream:
            stream.write(str(os.getpid()))
        return
    raise CommandError(f"{out}: could not take its lock file {lock}")


def _holder(lock: Path) -> int | None:
    try:
        text = lock.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
