"""Keras's callback interface: no-op hooks a training run calls at each stage."""

from __future__ import annotations

from typing import Any


class Callback:
    """Override any hook. `self.model` is the model being trained; `self.params` holds epochs,
    steps and verbose. Set `self.model.stop_training = True` to stop after the current batch.
    Callbacks that write files set `main_process_only = True`: under torchrun only process 0 runs them."""

    main_process_only = False
    # The attributes BackupAndRestore keeps with its backup (numbers), so a resumed run carries on
    # with this callback's patience, best value and cooldown as they were.
    backup_fields: tuple[str, ...] = ()
    # Runs its on_epoch_end after every other callback's (BackupAndRestore: it saves their state).
    epoch_end_last = False

    def __init__(self) -> None:
        self.model = None
        self.params: dict[str, Any] = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_batch_begin(self, batch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...

    # Keras routes the training batch hooks to the older on_batch_* names by default.
    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None): ...
    def on_test_batch_end(self, batch, logs=None): ...
    def on_predict_batch_begin(self, batch, logs=None): ...
    def on_predict_batch_end(self, batch, logs=None): ...
