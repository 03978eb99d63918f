"""Keras-named optimizers (`cnnkit.optimizers.Adam()`, or by name in compile)."""

from cnnkit.training.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop, get

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get"]
