"""CSVLogger: each epoch's logs as a row of a CSV file, written atomically."""

from __future__ import annotations

import csv
import io
import os

from cnnkit.callbacks.callback import Callback
from cnnkit.common.files import atomic_write


def _cell(value) -> str:
    """A logged number, or a per-class list written as "[0.5, 0.25]"."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(repr(float(v)) for v in value) + "]"
    return repr(float(value))


class CSVLogger(Callback):
    """One CSV row per epoch (`epoch` then the logs, sorted by name). Every write replaces the file
    atomically, so a crash never leaves half a row; `append=True` keeps an earlier run's rows (and a
    run resumed by BackupAndRestore replaces rows of the epochs it repeats)."""

    main_process_only = True

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append

    def on_train_begin(self, logs=None) -> None:
        self.rows: list[list[str]] = []
        self.keys: list[str] | None = None
        if self.append and os.path.exists(self.filename):
            with open(self.filename, newline="") as stream:
                self.rows = list(csv.reader(stream, delimiter=self.separator))
            self.keys = self.rows[0][1:] if self.rows else None

    def on_epoch_end(self, epoch, logs=None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.rows.append(["epoch", *self.keys])
        if getattr(self.model, "resume_from_epoch", None) is not None:
            # BackupAndRestore resumed: an interrupted run may have logged this epoch already.
            self.rows = self.rows[:1] + [row for row in self.rows[1:] if not row or int(row[0]) < epoch]
        self.rows.append([str(epoch), *(_cell(logs[k]) if k in logs else "NA" for k in self.keys)])
        text = io.StringIO()
        csv.writer(text, delimiter=self.separator, lineterminator="\n").writerows(self.rows)
        atomic_write(self.filename, lambda stream: stream.write(text.getvalue().encode()))
