"""Keras's accuracy metrics, as functions (one value per sample) and as classes."""

from __future__ import annotations

import torch

from cnnkit.common import registry
from cnnkit.common.checks import positive_int
from cnnkit.metrics.metric import class_dim
from cnnkit.metrics.reduction_metrics import MeanMetricWrapper


def _labels(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    """Integer labels without a class axis (a trailing axis of size 1 is dropped)."""
    if y_true.dim() == y_pred.dim():
        y_true = y_true.squeeze(class_dim(y_pred))
    return y_true.long()


def categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    dim = class_dim(y_pred)
    return (y_true.argmax(dim=dim) == y_pred.argmax(dim=dim)).float()


def sparse_categorical_accuracy(y_true, y_pred) -> torch.Tensor:
    return (_labels(y_true, y_pred) == y_pred.argmax(dim=class_dim(y_pred))).float()


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> torch.Tensor:
    hits = (y_true.to(y_pred.dtype) == (y_pred > threshold).to(y_pred.dtype)).float()
    return hits.mean(dim=class_dim(y_pred))


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    return sparse_top_k_categorical_accuracy(y_true.argmax(dim=class_dim(y_pred)), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> torch.Tensor:
    dim = class_dim(y_pred)
    top = y_pred.topk(min(k, y_pred.shape[dim]), dim=dim).indices
    return (top == _labels(y_true, y_pred).unsqueeze(dim)).any(dim=dim).float()


def accuracy(y_true, y_pred) -> torch.Tensor:
    """Exact equality of labels and predictions (Keras's plain `Accuracy`)."""
    return (y_true.to(y_pred.dtype) == y_pred).float()


class Accuracy(MeanMetricWrapper):
    def __init__(self, name: str = "accuracy") -> None:
        super().__init__(accuracy, name)


class CategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, name: str = "categorical_accuracy") -> None:
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, name: str = "sparse_categorical_accuracy") -> None:
        super().__init__(sparse_categorical_accuracy, name)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5) -> None:
        super().__init__(binary_accuracy, name, threshold=threshold)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy") -> None:
        positive_int(k, "k", "TopKCategoricalAccuracy")
        super().__init__(top_k_categorical_accuracy, name, k=k)


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    uses_probabilities = False

    def __init__(self, k: int = 5, name: str = "sparse_top_k_categorical_accuracy") -> None:
        positive_int(k, "k", "SparseTopKCategoricalAccuracy")
        super().__init__(sparse_top_k_categorical_accuracy, name, k=k)


for _cls, _function in (
    (CategoricalAccuracy, categorical_accuracy),
    (SparseCategoricalAccuracy, sparse_categorical_accuracy),
    (BinaryAccuracy, binary_accuracy),
    (TopKCategoricalAccuracy, top_k_categorical_accuracy),
    (SparseTopKCategoricalAccuracy, sparse_top_k_categorical_accuracy),
):
    registry.register("metric", _cls, _function.__name__)
    registry.register("metric_function", _function)
