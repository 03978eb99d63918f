"""EarlyStopping: stop when a monitored value stops improving."""

from __future__ import annotations

from cnnkit.callbacks.callback import Callback
from cnnkit.callbacks.monitor_callback import Monitor, weights_snapshot


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved for `patience` epochs (Keras's arguments).

    With restore_best_weights=True the model ends with the weights of its best epoch.
    """

    backup_fields = ("wait", "best", "best_epoch", "stopped_epoch")

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.watch = Monitor("EarlyStopping", monitor, mode, min_delta)
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0; received patience={patience!r}")
        self.monitor, self.patience, self.verbose, self.baseline = monitor, patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch

    def on_train_begin(self, logs=None) -> None:
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = self.watch.worst
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None) -> None:
        current = self.watch.value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = weights_snapshot(self.model)
        self.wait += 1
        if self.watch.improved(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = weights_snapshot(self.model)
            if self.baseline is None or self.watch.improved(current, self.baseline):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None) -> None:
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.stopped_epoch and self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)
