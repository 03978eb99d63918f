"""Keras-named optimizers (`cnnkit.optimizers.Adam()`, or by name in compile) and their
learning-rate schedules (`cnnkit.optimizers.schedules.ExponentialDecay(...)`), one file each as in
Keras: optimizer.py holds the base class and `get`."""

from cnnkit.optimizers import schedules
from cnnkit.optimizers.adadelta import Adadelta
from cnnkit.optimizers.adagrad import Adagrad
from cnnkit.optimizers.adam import Adam
from cnnkit.optimizers.adamax import Adamax
from cnnkit.optimizers.adamw import AdamW
from cnnkit.optimizers.nadam import Nadam
from cnnkit.optimizers.optimizer import Optimizer, get
from cnnkit.optimizers.rmsprop import RMSprop
from cnnkit.optimizers.sgd import SGD

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
