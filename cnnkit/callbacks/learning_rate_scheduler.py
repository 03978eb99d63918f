"""LearningRateScheduler: set the learning rate at the start of each epoch from a function."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable

from cnnkit.callbacks.callback import Callback


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

    def on_epoch_end(self, epoch, logs=None) -> None:
        if logs is not None:  # Keras 3 logs the rate where a callback sets it, and only there
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
