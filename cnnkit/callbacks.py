"""Keras's callbacks: the base class, History, and the standard ones by their Keras names."""

from cnnkit.training.callbacks import Callback, CallbackList, History
from cnnkit.training.checkpoints import ModelCheckpoint
from cnnkit.training.monitoring import EarlyStopping, ReduceLROnPlateau
from cnnkit.training.run_callbacks import (
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    TensorBoard,
    TerminateOnNaN,
)

__all__ = [
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
]
