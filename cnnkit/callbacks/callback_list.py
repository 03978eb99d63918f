"""CallbackList: calls a hook on every callback, and batch hooks only on those that define them."""

from __future__ import annotations

from cnnkit.callbacks.callback import Callback

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
            callback.peers = self.callbacks  # the run's callbacks, whose state BackupAndRestore keeps
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

        callbacks = self.callbacks
        if hook == "on_epoch_end":
            callbacks = sorted(callbacks, key=lambda callback: callback.epoch_end_last)  # a stable sort

        def call_all(*args) -> None:
            for callback in callbacks:
                getattr(callback, hook)(*args)

        return call_all
