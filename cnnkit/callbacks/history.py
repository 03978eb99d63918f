"""History: the logs of every epoch, which fit returns."""

from __future__ import annotations

from cnnkit.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs: `history.history['val_accuracy']`, `history.epoch`."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None) -> None:
        self.history, self.epoch = {}, []

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
