"""Checks labels against the loss and the model's output once, where data enters.

Each check runs on a whole array (or the first batch of a stream), so bad labels give one clear
message before training starts instead of a torch error (or silently wrong numbers) mid-epoch.
"""

from __future__ import annotations

import numpy as np
import torch

from cnnkit.common.layout import Shape, api_channels_first, format_shape, to_channels_first, to_channels_last
from cnnkit.losses.loss import Loss, LossFunctionWrapper
from cnnkit.losses.losses import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy


def as_tensor(data) -> torch.Tensor:
    """A torch view of NumPy data (no copy where possible), or the tensor itself."""
    if isinstance(data, torch.Tensor):
        return data
    array = np.asarray(data)
    if array.dtype == object:
        raise ValueError(f"expected numeric data; received an array of Python objects, shape {array.shape}")
    return torch.from_numpy(np.ascontiguousarray(array))


def _matches(shape: tuple, expected: Shape) -> bool:
    return len(shape) == len(expected) - 1 and all(e is None or s == e for s, e in zip(shape, expected[1:]))


def prepare_targets(y, loss: Loss, output_shape: Shape, where: str) -> torch.Tensor:
    """Validated labels as a tensor in the layout and dtype the loss needs."""
    y = as_tensor(y)
    if y.dim() == 0:
        raise ValueError(f"{where}: y must have a batch axis; received a scalar")
    if api_channels_first():  # image labels (N, C, H, W), checked against the output's channels-last shape
        y = to_channels_last(y)
    sample_shape = tuple(y.shape[1:])
    if isinstance(loss, SparseCategoricalCrossentropy):
        return _sparse_labels(y, loss, output_shape, where)
    if isinstance(loss, LossFunctionWrapper) or not type(loss).__module__.startswith("cnnkit."):
        # a user's function or Loss subclass decides what it accepts (a contrastive loss takes
        # (N, 1) class ids against (N, 128) features)
        return to_channels_first(y.float() if y.is_floating_point() else y)
    if not _matches(sample_shape, output_shape):
        looks_sparse = y.dim() == 1 or (y.dim() == 2 and y.shape[1] == 1)
        if isinstance(loss, CategoricalCrossentropy) and looks_sparse and output_shape[-1] != 1:
            raise ValueError(
                f"{where}: categorical_crossentropy expects one-hot labels of shape (N, {output_shape[-1]}); "
                f"received integer labels of shape {tuple(y.shape)}. Convert them with "
                f"cnnkit.utils.to_categorical(y, {output_shape[-1]}), or use loss='sparse_categorical_crossentropy'"
            )
        per_sample = int(np.prod(output_shape[1:])) if None not in output_shape[1:] else None
        if per_sample is not None and y.dim() >= 1 and int(np.prod(sample_shape)) == per_sample:
            y = y.reshape(y.shape[0], *output_shape[1:])  # (N,) labels for an (N, 1) output, as Keras allows
        else:
            raise ValueError(
                f"{where}: {loss.name} needs labels shaped like the model's output "
                f"{format_shape(output_shape)}; received y of shape {tuple(y.shape)}"
            )
    y = y.float()
    if isinstance(loss, BinaryCrossentropy) and y.numel():
        low, high = float(y.min()), float(y.max())
        if low < 0 or high > 1:
            raise ValueError(
                f"{where}: binary_crossentropy expects labels in [0, 1]; received values from {low:g} to {high:g}"
            )
    return to_channels_first(y)


def _sparse_labels(y: torch.Tensor, loss: Loss, output_shape: Shape, where: str) -> torch.Tensor:
    classes = output_shape[-1]
    if y.dim() == len(output_shape) and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])  # Keras accepts a trailing axis of size 1
    if not _matches(tuple(y.shape[1:]), output_shape[:-1]):
        hint = ""
        if y.dim() == len(output_shape) and y.shape[-1] == classes:
            hint = " (these look one-hot: use loss='categorical_crossentropy', or pass y.argmax(-1))"
        raise ValueError(
            f"{where}: sparse_categorical_crossentropy expects integer labels of shape "
            f"{format_shape(output_shape[:-1])}; received y of shape {tuple(y.shape)}{hint}"
        )
    if y.is_floating_point() and y.numel() and not bool((y == y.round()).all()):
        raise ValueError(f"{where}: sparse_categorical_crossentropy expects integer class labels; received fractions")
    if y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"{where}: labels must be integers; received dtype {y.dtype}")
    if y.numel():
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= classes:
            raise ValueError(
                f"{where}: labels must be in [0, {classes - 1}] for a model with {classes} outputs; "
                f"received labels from {low} to {high}"
            )
    return y.long()


def class_indices(y: torch.Tensor) -> torch.Tensor:
    """Each sample's class: the label itself, the argmax of a one-hot row, or a rounded 0/1."""
    if y.is_floating_point() and y.dim() >= 2 and y.shape[-1 if y.dim() == 2 else 1] > 1:
        return y.argmax(dim=1)
    return y.reshape(y.shape[0], -1)[:, 0].round().long() if y.is_floating_point() else y.reshape(y.shape[0], -1)[:, 0]


def class_weights_to_sample_weights(y: torch.Tensor, class_weight: dict, where: str) -> torch.Tensor:
    classes = class_indices(y)
    present = sorted(int(c) for c in torch.unique(classes).tolist())
    missing = [c for c in present if c not in class_weight]
    if missing:
        raise ValueError(f"{where}: class_weight has no entry for class(es) {missing}")
    table = torch.zeros(max(present) + 1 if present else 1, dtype=torch.float32)
    for cls, weight in class_weight.items():
        if 0 <= int(cls) < len(table):
            table[int(cls)] = float(weight)
    return table.to(classes.device, non_blocking=True)[classes]
