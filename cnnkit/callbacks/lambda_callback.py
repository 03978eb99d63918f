"""LambdaCallback: a callback made of functions."""

from __future__ import annotations

from collections.abc import Callable

from cnnkit.callbacks.callback import Callback


class LambdaCallback(Callback):
    """A callback from functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`. Keras's
    names: on_epoch_begin/end, on_train_begin/end, on_train_batch_begin/end, on_batch_begin/end."""

    HOOKS = (
        "on_epoch_begin",
        "on_epoch_end",
        "on_train_begin",
        "on_train_end",
        "on_train_batch_begin",
        "on_train_batch_end",
        "on_batch_begin",
        "on_batch_end",
        "on_test_begin",
        "on_test_end",
        "on_predict_begin",
        "on_predict_end",
    )

    def __init__(self, **hooks: Callable) -> None:
        super().__init__()
        unknown = sorted(set(hooks) - set(self.HOOKS))
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; known: {', '.join(self.HOOKS)}")
        for name, function in hooks.items():
            if function is not None:  # an instance attribute: CallbackList sees the override
                setattr(self, name, self._with_optional_logs(name, function))

    @staticmethod
    def _with_optional_logs(name: str, function: Callable) -> Callable:
        """Keras calls `f(logs)` or `f(index, logs)`; cnnkit may call a hook without logs."""
        if "batch" in name or "epoch" in name:
            return lambda index, logs=None: function(index, logs)
        return lambda logs=None: function(logs)
