"""Keras's callbacks: the base class, History, and the standard ones by their Keras names, one
file each under Keras's file names."""

from cnnkit.callbacks.backup_and_restore import BackupAndRestore
from cnnkit.callbacks.callback import Callback
from cnnkit.callbacks.callback_list import CallbackList
from cnnkit.callbacks.csv_logger import CSVLogger
from cnnkit.callbacks.early_stopping import EarlyStopping
from cnnkit.callbacks.history import History
from cnnkit.callbacks.lambda_callback import LambdaCallback
from cnnkit.callbacks.learning_rate_scheduler import LearningRateScheduler
from cnnkit.callbacks.model_checkpoint import ModelCheckpoint
from cnnkit.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from cnnkit.callbacks.tensorboard import TensorBoard
from cnnkit.callbacks.terminate_on_nan import TerminateOnNaN

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
