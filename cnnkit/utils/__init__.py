"""Keras's utilities: to_categorical, set_random_seed, PyDataset, image_dataset_from_directory,
the image file helpers (load_img, img_to_array, array_to_img, save_img) and pad_sequences."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from cnnkit.common.object_registration import custom_object_scope, get_custom_objects, register_keras_serializable
from cnnkit.common.py_dataset import PyDataset, Sequence
from cnnkit.common.random_state import random_states, restore_random_states
from cnnkit.preprocessing.image_utils import array_to_img, img_to_array, load_img, save_img
from cnnkit.preprocessing.sequence_utils import pad_sequences
from cnnkit.utils.downloads import get_file
from cnnkit.utils.progbar import Progbar

CustomObjectScope = custom_object_scope


def to_categorical(y, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot rows from integer class labels (a trailing axis of size 1 is dropped, as in Keras)."""
    labels = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.size and (not np.all(np.equal(np.mod(labels, 1), 0))):
        raise ValueError("to_categorical: labels must be integers; received fractional values")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0; received {labels.min()}")
    largest = int(labels.max()) if labels.size else -1
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"to_categorical: label {largest} does not fit num_classes={num_classes} (labels must be < num_classes)"
        )
    one_hot = np.zeros((labels.size, num_classes), dtype=dtype)
    one_hot[np.arange(labels.size), labels.reshape(-1)] = 1
    return one_hot.reshape(*labels.shape, num_classes)


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Keras's `utils.normalize`: `x` divided by its `order`-norm along `axis` (rows of norm 0 are
    left as they are), as older MNIST tutorials scale their images."""
    array = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x)
    norms = np.atleast_1d(np.linalg.norm(array, order, axis))
    norms[norms == 0] = 1
    return array / np.expand_dims(norms, axis)


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (every device) at once, as `keras.utils.set_random_seed`."""
    if not isinstance(seed, int):
        raise ValueError(f"set_random_seed: seed must be an int; received {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def set_deterministic(enabled: bool = True) -> None:
    """Make GPU runs repeatable where torch can: deterministic kernels only (an operation without
    one raises), no cuDNN autotuning. CPU runs are already repeatable after set_random_seed."""
    if enabled:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # cuBLAS needs it for determinism
    torch.use_deterministic_algorithms(bool(enabled))
    torch.backends.cudnn.deterministic = bool(enabled)
    torch.backends.cudnn.benchmark = not enabled


def __getattr__(name: str):
    # Imported on first use: the data-set builders read images through cnnkit.preprocessing, and
    # plot_model through the models, which a plain `import cnnkit.utils` need not load.
    if name == "image_dataset_from_directory":
        from cnnkit.preprocessing.image_dataset import image_dataset_from_directory

        return image_dataset_from_directory
    if name == "text_dataset_from_directory":
        from cnnkit.preprocessing.text_dataset import text_dataset_from_directory

        return text_dataset_from_directory
    if name == "timeseries_dataset_from_array":
        from cnnkit.preprocessing.timeseries_dataset import timeseries_dataset_from_array

        return timeseries_dataset_from_array
    if name == "plot_model":
        from cnnkit.utils.model_visualization import plot_model

        return plot_model
    raise AttributeError(f"module 'cnnkit.utils' has no attribute {name!r}")


__all__ = [
    "CustomObjectScope",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "custom_object_scope",
    "get_custom_objects",
    "get_file",
    "image_dataset_from_directory",
    "img_to_array",
    "load_img",
    "normalize",
    "pad_sequences",
    "save_img",
    "random_states",
    "register_keras_serializable",
    "restore_random_states",
    "set_deterministic",
    "set_random_seed",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
]
