"""Keras-named optimizers (`cnnkit.optimizers.Adam()`, or by name in compile) and their
learning-rate schedules (`cnnkit.optimizers.schedules.ExponentialDecay(...)`)."""

from cnnkit.training import schedules
from cnnkit.training.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop, get

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "schedules"]
