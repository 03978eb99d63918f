"""Keras-named optimizers (`cnnkit.optimizers.Adam()`, or by name in compile) and their
learning-rate schedules (`cnnkit.optimizers.schedules.ExponentialDecay(...)`)."""

from cnnkit.training import schedules
from cnnkit.training.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, Optimizer, RMSprop, get

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "get",
    "schedules",
]
