"""The rest of Keras's losses, as functions (one value per sample, the mean over the API's last
axis) and classes: Kullback-Leibler divergence, Poisson, mean squared logarithmic and mean
absolute percentage errors, the hinge losses, log-cosh and cosine similarity. Each follows
Keras's formula, clipping included.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cnnkit.training.losses import EPSILON, Loss, _class_dim, _tensors


def _pair(y_true, y_pred) -> tuple[torch.Tensor, torch.Tensor, int]:
    y_true, y_pred = _tensors(y_true, y_pred)
    return y_true.to(y_pred.dtype), y_pred, _class_dim(y_pred)


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
    dim = _class_dim(y_pred) if axis == -1 else axis
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


BY_NAME = {
    "kl_divergence": KLDivergence,
    "kld": KLDivergence,
    "kullback_leibler_divergence": KLDivergence,
    "poisson": Poisson,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    "hinge": Hinge,
    "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge,
    "log_cosh": LogCosh,
    "logcosh": LogCosh,
    "cosine_similarity": CosineSimilarity,
}
BY_FUNCTION = {
    kl_divergence: KLDivergence,
    poisson: Poisson,
    mean_squared_logarithmic_error: MeanSquaredLogarithmicError,
    mean_absolute_percentage_error: MeanAbsolutePercentageError,
    hinge: Hinge,
    squared_hinge: SquaredHinge,
    categorical_hinge: CategoricalHinge,
    log_cosh: LogCosh,
    cosine_similarity: CosineSimilarity,
}
