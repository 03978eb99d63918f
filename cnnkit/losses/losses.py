"""Keras's losses, as functions (one value per sample) and as Loss classes, each registered under
its Keras names. Each follows Keras's formula, clipping included.

A cross-entropy after a softmax/sigmoid output layer is computed from that layer's logits
(`fuses`), the numerically stable form, rather than from clipped probabilities.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cnnkit.common import registry, symbolic
from cnnkit.losses.loss import EPSILON, Loss, as_tensors, class_dim


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0):
    """-sum(y_true * log(y_pred)) over classes; y_true one-hot (or soft) like y_pred."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    dim = class_dim(y_pred)
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_pred.shape[dim]
    if from_logits:
        log_probs = torch.log_softmax(y_pred, dim=dim)
    else:
        probs = y_pred / y_pred.sum(dim=dim, keepdim=True)
        log_probs = torch.log(probs.clamp(EPSILON, 1.0 - EPSILON))
    return -(y_true * log_probs).sum(dim=dim)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False):
    """-log(y_pred[label]) with integer labels; y_true has no class axis (or a trailing 1)."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    dim = class_dim(y_pred)
    labels = y_true.long()
    if labels.dim() == y_pred.dim():  # Keras accepts labels with a trailing axis of size 1
        labels = labels.squeeze(-1)
    if from_logits:
        log_probs = torch.log_softmax(y_pred, dim=dim)
    else:
        probs = y_pred / y_pred.sum(dim=dim, keepdim=True)
        log_probs = torch.log(probs.clamp(EPSILON, 1.0 - EPSILON))
    return F.nll_loss(log_probs, labels, reduction="none")


def binary_crossentropy(y_true, y_pred, from_logits: bool = False, label_smoothing: float = 0.0):
    """Mean over the last axis of -(y log p + (1 - y) log(1 - p))."""
    y_true, y_pred = as_tensors(y_true, y_pred)
    y_true = y_true.to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per_value = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        p = y_pred.clamp(EPSILON, 1.0 - EPSILON)
        per_value = -(y_true * torch.log(p) + (1.0 - y_true) * torch.log(1.0 - p))
    return per_value.mean(dim=class_dim(y_pred))


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = as_tensors(y_true, y_pred)
    return (y_pred - y_true.to(y_pred.dtype)).square().mean(dim=class_dim(y_pred))


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = as_tensors(y_true, y_pred)
    return (y_pred - y_true.to(y_pred.dtype)).abs().mean(dim=class_dim(y_pred))


def huber(y_true, y_pred, delta: float = 1.0):
    y_true, y_pred = as_tensors(y_true, y_pred)
    per_value = F.huber_loss(y_pred, y_true.to(y_pred.dtype), reduction="none", delta=delta)
    return per_value.mean(dim=class_dim(y_pred))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


def _pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor, int]:
    y_true, y_pred = as_tensors(y_true, y_pred)
    return y_true.to(y_pred.dtype), y_pred, class_dim(y_pred)


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred)) over the classes, both clipped to [epsilon, 1]."""
    y_true, y_pred, dim = _pair(y_true, y_pred)
    y_true, y_pred = y_true.clamp(EPSILON, 1.0), y_pred.clamp(EPSILON, 1.0)
    return (y_true * torch.log(y_true / y_pred)).sum(dim=dim)


def poisson(y_true, y_pred):
    y_true, y_pred, dim = _pair(y_true, y_pred)
    return (y_pred - y_true * torch.log(y_pred + EPSILON)).mean(dim=dim)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred, dim = _pair(y_true, y_pred)
    first, second = torch.log(y_pred.clamp(min=EPSILON) + 1.0), torch.log(y_true.clamp(min=EPSILON) + 1.0)
    return (first - second).square().mean(dim=dim)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred, dim = _pair(y_true, y_pred)
    return 100.0 * ((y_true - y_pred).abs() / y_true.abs().clamp(min=EPSILON)).mean(dim=dim)


def _signed(y_true: torch.Tensor) -> torch.Tensor:
    """Labels of 0 and 1 become -1 and 1, as Keras's hinge losses take them."""
    is_binary = ((y_true == 0) | (y_true == 1)).all()
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    y_true, y_pred, dim = _pair(y_true, y_pred)
    return (1.0 - _signed(y_true) * y_pred).clamp(min=0).mean(dim=dim)


def squared_hinge(y_true, y_pred):
    y_true, y_pred, dim = _pair(y_true, y_pred)
    return (1.0 - _signed(y_true) * y_pred).clamp(min=0).square().mean(dim=dim)


def categorical_hinge(y_true, y_pred):
    """max(0, 1 + the best wrong score - the right score), y_true one-hot."""
    y_true, y_pred, dim = _pair(y_true, y_pred)
    right = (y_true * y_pred).sum(dim=dim)
    wrong = ((1.0 - y_true) * y_pred).amax(dim=dim)
    return (wrong - right + 1.0).clamp(min=0)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(error))), computed as x + softplus(-2x) - log 2, which cannot overflow."""
    y_true, y_pred, dim = _pair(y_true, y_pred)
    error = y_pred - y_true
    return (error + F.softplus(-2.0 * error) - math.log(2.0)).mean(dim=dim)


def cosine_similarity(y_true, y_pred, axis: int = -1):
    """Minus the cosine similarity along `axis` (so that minimising it aligns the vectors)."""
    y_true, y_pred, _ = _pair(y_true, y_pred)
    dim = class_dim(y_pred) if axis == -1 else axis
    return -(F.normalize(y_true, dim=dim, eps=1e-12) * F.normalize(y_pred, dim=dim, eps=1e-12)).sum(dim=dim)


kld = KLD = kullback_leibler_divergence = kl_divergence
msle = MSLE = mean_squared_logarithmic_error
mape = MAPE = mean_absolute_percentage_error
logcosh = log_cosh


class KLDivergence(Loss):
    def call(self, y_true, y_pred):
        return kl_divergence(y_true, y_pred)


class Poisson(Loss):
    def call(self, y_true, y_pred):
        return poisson(y_true, y_pred)


class MeanSquaredLogarithmicError(Loss):
    def call(self, y_true, y_pred):
        return mean_squared_logarithmic_error(y_true, y_pred)


class MeanAbsolutePercentageError(Loss):
    def call(self, y_true, y_pred):
        return mean_absolute_percentage_error(y_true, y_pred)


class Hinge(Loss):
    def call(self, y_true, y_pred):
        return hinge(y_true, y_pred)


class SquaredHinge(Loss):
    def call(self, y_true, y_pred):
        return squared_hinge(y_true, y_pred)


class CategoricalHinge(Loss):
    def call(self, y_true, y_pred):
        return categorical_hinge(y_true, y_pred)


class LogCosh(Loss):
    def call(self, y_true, y_pred):
        return log_cosh(y_true, y_pred)


class CosineSimilarity(Loss):
    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, y_true, y_pred):
        return cosine_similarity(y_true, y_pred, self.axis)


class CategoricalCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.fuses = None if from_logits else "softmax"

    def call(self, y_true, y_pred):
        return categorical_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_on_logits(self, y_true, logits):
        return categorical_crossentropy(y_true, logits, True, self.label_smoothing)

    def fast_mean_on_logits(self, y_true, logits):
        """The unweighted mean from logits in torch's single fused kernel."""
        return F.cross_entropy(*_classes_in_dim_1(logits, y_true), label_smoothing=self.label_smoothing)


class SparseCategoricalCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits = from_logits
        self.fuses = None if from_logits else "softmax"

    def call(self, y_true, y_pred):
        return sparse_categorical_crossentropy(y_true, y_pred, self.from_logits)

    def call_on_logits(self, y_true, logits):
        return sparse_categorical_crossentropy(y_true, logits, True)

    def fast_mean_on_logits(self, y_true, logits):
        return F.cross_entropy(_classes_in_dim_1(logits)[0], y_true)


def _classes_in_dim_1(logits: torch.Tensor, one_hot: torch.Tensor | None = None) -> tuple:
    """torch's cross_entropy wants the classes in dimension 1. They are there for (batch, classes)
    and NCHW images; a sequence's (batch, time, classes) keeps them last and is moved (a view)."""
    dim = class_dim(logits)
    if dim == 1:
        return logits, one_hot
    return logits.movedim(dim, 1), None if one_hot is None else one_hot.movedim(dim, 1)


class BinaryCrossentropy(Loss):
    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.fuses = None if from_logits else "sigmoid"

    def call(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, self.label_smoothing)

    def call_on_logits(self, y_true, logits):
        return binary_crossentropy(y_true, logits, True, self.label_smoothing)


class MeanSquaredError(Loss):
    def call(self, y_true, y_pred):
        return mean_squared_error(y_true, y_pred)


class MeanAbsoluteError(Loss):
    def call(self, y_true, y_pred):
        return mean_absolute_error(y_true, y_pred)


class Huber(Loss):
    def __init__(self, delta: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if delta <= 0:
            raise ValueError(f"Huber: delta must be positive; received delta={delta}.")
        self.delta = delta

    def call(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta)


# Each class under its Keras names; a function under its own name, so `get` maps it to its class.
_NAMES = {
    CategoricalCrossentropy: ("categorical_crossentropy",),
    SparseCategoricalCrossentropy: ("sparse_categorical_crossentropy",),
    BinaryCrossentropy: ("binary_crossentropy",),
    MeanSquaredError: ("mean_squared_error", "mse"),
    MeanAbsoluteError: ("mean_absolute_error", "mae"),
    Huber: ("huber", "huber_loss"),
    KLDivergence: ("kl_divergence", "kld", "kullback_leibler_divergence"),
    Poisson: ("poisson",),
    MeanSquaredLogarithmicError: ("mean_squared_logarithmic_error", "msle"),
    MeanAbsolutePercentageError: ("mean_absolute_percentage_error", "mape"),
    Hinge: ("hinge",),
    SquaredHinge: ("squared_hinge",),
    CategoricalHinge: ("categorical_hinge",),
    LogCosh: ("log_cosh", "logcosh"),
    CosineSimilarity: ("cosine_similarity",),
}
for _cls, _names in _NAMES.items():
    registry.register("loss", _cls, _cls.__name__, *_names)
_LOSS_FUNCTIONS = (
    categorical_crossentropy,
    sparse_categorical_crossentropy,
    binary_crossentropy,
    mean_squared_error,
    mean_absolute_error,
    huber,
    kl_divergence,
    poisson,
    mean_squared_logarithmic_error,
    mean_absolute_percentage_error,
    hinge,
    squared_hinge,
    categorical_hinge,
    log_cosh,
    cosine_similarity,
)
# Called on a functional graph's KerasTensors (Keras 2's `vae.add_loss(binary_crossentropy(x, decoded))`)
# each records a graph node (common/symbolic.py); every name of it, aliases too, gives that form.
_RECORDING = {function: symbolic.dispatching(function) for function in _LOSS_FUNCTIONS}
for _name, _value in list(globals().items()):
    if not _name.startswith("_") and callable(_value) and _value in _RECORDING:
        globals()[_name] = _RECORDING[_value]
for _function in _RECORDING.values():
    registry.register("loss_function", _function)
