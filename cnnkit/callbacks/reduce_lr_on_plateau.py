"""ReduceLROnPlateau: lower the learning rate when a monitored value stops improving."""

from __future__ import annotations

from cnnkit.callbacks.callback import Callback
from cnnkit.callbacks.monitor_callback import Monitor


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by `factor` when `monitor` has not improved for `patience` epochs,
    then wait `cooldown` epochs before watching again; never below `min_lr`."""

    backup_fields = ("wait", "cooldown_counter", "best")

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__()
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unknown argument(s) {', '.join(sorted(kwargs))}")
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1); received factor={factor!r}")
        self.watch = Monitor("ReduceLROnPlateau", monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.cooldown_counter, self.best = 0, 0, self.watch.worst

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is not None:  # the rate this epoch ran at, logged as Keras 3 does
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self.watch.value(logs)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.watch.improved(current, self.best):
            self.best, self.wait = current, 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            optimizer = self.model.optimizer
            old = float(optimizer.learning_rate)
            if old > self.min_lr:
                new = max(old * self.factor, self.min_lr)
                optimizer.learning_rate = new
                if self.verbose:
                    print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:g}.")
                self.cooldown_counter, self.wait = self.cooldown, 0
