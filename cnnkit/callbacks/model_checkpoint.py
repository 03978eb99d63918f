"""ModelCheckpoint: save the model (or its weights) after epochs, optionally only the best."""

from __future__ import annotations

import os

from cnnkit.callbacks.callback import Callback
from cnnkit.callbacks.monitor_callback import Monitor


class ModelCheckpoint(Callback):
    """Save after every epoch (or every `save_freq` batches), to `filepath` formatted with the epoch
    and the logs: `"ckpt-{epoch:02d}-{val_loss:.3f}.keras"`. With save_best_only=True only when
    `monitor` improved. Each save replaces its file atomically."""

    backup_fields = ("best",)

    main_process_only = True

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        if save_freq != "epoch" and (not isinstance(save_freq, int) or save_freq <= 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive int; received {save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only, self.save_freq = save_best_only, save_weights_only, save_freq
        self.watch = Monitor("ModelCheckpoint", monitor, mode, 0.0)
        self.best = self.watch.worst if initial_value_threshold is None else initial_value_threshold
        self._epoch, self._batches = 0, 0
        if save_freq != "epoch":  # only then does it need a per-batch hook (which reads the logs each batch)
            self.on_train_batch_end = self._count_batch

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._epoch = epoch

    def _count_batch(self, batch, logs=None) -> None:
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, logs, batch)

    def on_epoch_end(self, epoch, logs=None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch: int, logs: dict | None, batch: int | None = None) -> None:
        logs = dict(logs or {})
        try:
            path = self.filepath.format(epoch=epoch + 1, batch=batch, **logs)
        except KeyError as missing:
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} names {missing}, which is not in the logs "
                f"({', '.join(sorted(logs))})"
            ) from None
        if self.save_best_only:
            current = self.watch.value(logs)
            if current is None or not self.watch.improved(current, self.best):
                return
            if self.verbose:
                print(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}; "
                    f"saving to {path}"
                )
            self.best = current
        elif self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
