"""What fit, evaluate and predict know of a model's steps: how a batch is handed to them, what
they return, and whether a model replaced the built-in ones (see cnnkit/models/trainer.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cnnkit.training.compiled_setup import as_floats


def builtin_step(method: Callable) -> Callable:
    """Marks the Model's own train_step/test_step/predict_step, so the loop can tell a subclass's."""
    method.builtin_step = True
    return method


def overrides(model, name: str) -> bool:
    """Whether the model's class replaces the built-in `name` step with its own."""
    return not getattr(getattr(type(model), name), "builtin_step", False)


class NonFiniteLoss(Exception):
    """Raised by the built-in train_step under TerminateOnNaN, before a NaN or infinite loss
    reaches the weights; fit stops training with the weights from before that batch."""

    def __init__(self, value: float) -> None:
        super().__init__(value)
        self.value = value


def unpack_x_y_sample_weight(data) -> tuple:
    """(x, y, sample_weight) from a batch given as (x,), (x, y), (x, y, sample_weight) or x."""
    if isinstance(data, tuple) and 1 <= len(data) <= 3:
        return tuple(data) + (None,) * (3 - len(data))
    return data, None, None


def pack_x_y_sample_weight(x, y=None, sample_weight=None) -> tuple:
    """The batch as Keras hands it to a step: (x,), (x, y) or (x, y, sample_weight)."""
    if y is None:
        return (x,)
    return (x, y) if sample_weight is None else (x, y, sample_weight)


class MetricResults(Mapping):
    """What the built-in steps return: the metrics' results by log name, computed only when read.
    fit reads them when the progress bar redraws, a callback asks for batch logs, or an epoch
    ends, so an ordinary step adds no device work for its logs."""

    def __init__(self, model) -> None:
        self._model = model
        self._values: dict | None = None

    def _computed(self) -> dict:
        if self._values is None:
            self._values = self._model._metric_result_tensors()
        return self._values

    def __getitem__(self, name: str):
        return self._computed()[name]

    def __iter__(self):
        return iter(self._computed())

    def __len__(self) -> int:
        return len(self._computed())


def python_logs(logs) -> dict:
    """A step's logs as Python numbers (one device sync)."""
    return as_floats(logs) if logs else {}
