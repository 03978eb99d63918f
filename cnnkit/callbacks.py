"""Keras's callback base class and History."""

from cnnkit.training.callbacks import Callback, CallbackList, History

__all__ = ["Callback", "CallbackList", "History"]
