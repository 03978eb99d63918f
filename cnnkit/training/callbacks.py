"""Keras's callback interface: no-op hooks a training run calls at each stage."""

from __future__ import annotations

from typing import Any


class Callback:
    """Override any hook. `self.model` is the model being trained; `self.params` holds epochs,
    steps and verbose. Set `self.model.stop_training = True` to stop after the current batch.
    Callbacks that write files set `main_process_only = True`: under torchrun only process 0 runs them."""

    main_process_only = False

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


_BATCH_HOOKS = {
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


def _overrides(callback: Callback, names: tuple[str, ...]) -> bool:
    """Does the callback define this hook, in its class or (LambdaCallback) on the instance?"""
    return any(name in vars(callback) or getattr(type(callback), name) is not getattr(Callback, name) for name in names)


class CallbackList:
    """Calls a hook on every callback. Batch hooks run only on callbacks that override them,
    so that a run without such callbacks never builds per-batch logs (which would wait for the
    device every step)."""

    def __init__(self, callbacks: list[Callback], model, params: dict) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be Callback instances; received {callback!r}.")
            callback.set_model(model)
            callback.set_params(params)
        self._batch_listeners = {
            hook: [cb for cb in self.callbacks if _overrides(cb, names)] for hook, names in _BATCH_HOOKS.items()
        }

    def wants(self, hook: str) -> bool:
        return bool(self._batch_listeners[hook])

    def batch(self, hook: str, batch: int, logs: dict | None = None) -> None:
        for callback in self._batch_listeners[hook]:
            getattr(callback, hook)(batch, logs)

    def __getattr__(self, hook: str):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call_all(*args) -> None:
            for callback in self.callbacks:
                getattr(callback, hook)(*args)

        return call_all


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
