"""BackupAndRestore: resume an interrupted fit from its last finished epoch."""

from __future__ import annotations

import os

from cnnkit import distributed
from cnnkit.callbacks.callback import Callback
from cnnkit.common.random_state import random_states, restore_random_states


class BackupAndRestore(Callback):
    """Resume an interrupted run exactly. After every epoch it writes one file (atomically) holding
    the weights, the optimizer state, the epoch and the random generators' states; a run started
    again with the same callback continues from there, so on CPU it ends with the very weights an
    uninterrupted run would have. The other callbacks' state (ReduceLROnPlateau's patience and
    cooldown, EarlyStopping's and ModelCheckpoint's best values: their `backup_fields`) is kept too.
    The backup is deleted when training completes (`delete_checkpoint=True`)."""

    epoch_end_last = True  # the other callbacks' on_epoch_end first, so their state saved is this epoch's

    def __init__(self, backup_dir: str | os.PathLike, save_freq="epoch", delete_checkpoint: bool = True) -> None:
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: only save_freq='epoch' is supported; received {save_freq!r}")
        self.backup_dir, self.delete_checkpoint = os.fspath(backup_dir), delete_checkpoint
        self.path = os.path.join(self.backup_dir, "backup.cnnkit")
        self._pending: list | None = None  # callbacks' states read from the backup, set at the first epoch

    def on_train_begin(self, logs=None) -> None:
        if not os.path.exists(self.path):
            return
        progress = self.model.load_training_state(self.path, "progress.json")
        restore_random_states(progress["random_states"])
        self.model.resume_from_epoch = progress["epoch"] + 1
        self._pending = progress.get("callbacks")

    def on_epoch_begin(self, epoch, logs=None) -> None:
        """The callbacks' states go back after every on_train_begin ran (those reset them)."""
        if not self._pending:
            return
        saved_by_class: dict[str, list] = {}
        for saved in self._pending:  # the n-th callback of a class gets the n-th saved state of that class
            saved_by_class.setdefault(saved["class"], []).append(saved["state"])
        for callback in self._peers():
            states = saved_by_class.get(type(callback).__name__)
            if states:
                for name, value in states.pop(0).items():
                    setattr(callback, name, value)
        self._pending = None

    def _peers(self) -> list:
        return [callback for callback in getattr(self, "peers", []) if callback is not self]

    def on_epoch_end(self, epoch, logs=None) -> None:
        if not distributed.is_main():  # under torchrun every process reads the backup, process 0 writes it
            return
        states = [
            {
                "class": type(callback).__name__,
                "state": {name: getattr(callback, name) for name in callback.backup_fields},
            }
            for callback in self._peers()
        ]
        progress = {"epoch": epoch, "random_states": random_states(), "callbacks": states}
        self.model.save_training_state(self.path, {"progress.json": progress})

    def on_train_end(self, logs=None) -> None:
        if self.delete_checkpoint and distributed.is_main() and os.path.exists(self.path):
            os.remove(self.path)
