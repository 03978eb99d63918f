"""Callbacks around a run: LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback, TensorBoard."""

from __future__ import annotations

import csv
import inspect
import io
import math
import os
from collections.abc import Callable

from cnnkit.training.callbacks import Callback
from cnnkit.utils.files import atomic_write


class LearningRateScheduler(Callback):
    """At the start of each epoch, set the learning rate to `schedule(epoch, lr)` (or `schedule(epoch)`)."""

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable; received {schedule!r}")
        self.schedule, self.verbose = schedule, verbose
        self._takes_rate = len(inspect.signature(schedule).parameters) >= 2

    def on_epoch_begin(self, epoch, logs=None) -> None:
        optimizer = self.model.optimizer
        current = float(optimizer.learning_rate)
        rate = self.schedule(epoch, current) if self._takes_rate else self.schedule(epoch)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not math.isfinite(rate) or rate <= 0:
            raise ValueError(
                f"LearningRateScheduler: the schedule returned {rate!r} for epoch {epoch}; expected a float > 0"
            )
        optimizer.learning_rate = float(rate)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate:g}.")


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


class TerminateOnNaN(Callback):
    """Stop as soon as a batch's loss is NaN or infinite, before that batch updates the weights, so
    the model keeps its last good weights; the message names the epoch and batch. (It reads the
    loss of every batch, which waits for the device each step; leave it out of timed runs.)"""

    checks_each_loss = True  # fit looks at this: the check happens between the loss and the update


class LambdaCallback(Callback):
    """A callback from functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`. Keras's
    names: on_epoch_begin/end, on_train_begin/end, on_train_batch_begin/end, on_batch_begin/end."""

    HOOKS = (
        "on_epoch_begin",
        "on_epoch_end",
        "on_train_begin",
        "on_train_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_batch_begin",
        "on_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_predict_begin",
        "on_predict_end",
    )

    def __init__(self, **hooks: Callable) -> None:
        super().__init__()
        unknown = sorted(set(hooks) - set(self.HOOKS))
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; known: {', '.join(self.HOOKS)}")
        for name, function in hooks.items():
            if function is not None:  # an instance attribute: CallbackList sees the override
                setattr(self, name, self._with_optional_logs(name, function))

    @staticmethod
    def _with_optional_logs(name: str, function: Callable) -> Callable:
        """Keras calls `f(logs)` or `f(index, logs)`; cnnkit may call a hook without logs."""
        if "batch" in name or "epoch" in name:
            return lambda index, logs=None: function(index, logs)
        return lambda logs=None: function(logs)


class TensorBoard(Callback):
    """Epoch scalars for TensorBoard through torch's own SummaryWriter: `epoch_loss`,
    `epoch_accuracy`, ... under `log_dir/train` and `log_dir/validation`, as Keras writes them."""

    main_process_only = True

    def __init__(self, log_dir: str | os.PathLike = "logs", **kwargs) -> None:
        super().__init__()
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise ImportError(
                "TensorBoard needs the tensorboard package, which is not installed: pip install tensorboard"
            ) from None
        self.log_dir, self._writer_class, self.writers = os.fspath(log_dir), SummaryWriter, {}

    def on_train_begin(self, logs=None) -> None:
        for part in ("train", "validation"):
            self.writers[part] = self._writer_class(os.path.join(self.log_dir, part))

    def on_epoch_end(self, epoch, logs=None) -> None:
        for key, value in (logs or {}).items():
            part, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            values = value if isinstance(value, list) else [value]
            for i, number in enumerate(values):  # a per-class metric: one curve per class
                tag = f"epoch_{name}" if len(values) == 1 and not isinstance(value, list) else f"epoch_{name}/{i}"
                self.writers[part].add_scalar(tag, number, epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None) -> None:
        for writer in self.writers.values():
            writer.close()
