"""Keras's callbacks: the base class, History, and the standard ones by their Keras names."""

from cnnkit.training.callbacks import Callback, CallbackList, History
from cnnkit.training.checkpoints import BackupAndRestore, ModelCheckpoint
from cnnkit.training.monitoring import EarlyStopping, ReduceLROnPlateau
from cnnkit.training.run_callbacks import (
    CSVLogger,
    LambdaCallback,
    LearningRateScheduler,
    TensorBoard,
    TerminateOnNaN,
)

__all__ = [
    "BackupAndRestore",
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
