"""Keras's regression metrics (mean squared and absolute errors, their root), and the Keras losses
that also serve as metrics by name ("mape", "kld", "hinge", ...): the mean of the loss function."""

from __future__ import annotations

import functools

import torch

from cnnkit.common import registry
from cnnkit.losses import losses as keras_losses
from cnnkit.losses.losses import mean_absolute_error, mean_squared_error
from cnnkit.metrics.reduction_metrics import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_squared_error") -> None:
        super().__init__(mean_squared_error, name)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_error") -> None:
        super().__init__(mean_absolute_error, name)


class RootMeanSquaredError(Mean):
    """sqrt(mean((y_pred - y_true)^2)) over every value seen."""

    def __init__(self, name: str = "root_mean_squared_error") -> None:
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_pred = torch.as_tensor(y_pred)
        error = y_pred - torch.as_tensor(y_true, device=y_pred.device).to(y_pred.dtype).reshape(y_pred.shape)
        super().update_state(error.square(), sample_weight)

    def result(self) -> torch.Tensor:
        return super().result().sqrt()


def _negative_cosine_similarity(y_true, y_pred):
    """Keras's cosine_similarity metric: the similarity itself (the loss is its negative)."""
    return -keras_losses.cosine_similarity(y_true, y_pred)


registry.register("metric", MeanSquaredError, "mean_squared_error", "mse")
registry.register("metric", MeanAbsoluteError, "mean_absolute_error", "mae")
registry.register("metric", RootMeanSquaredError, "root_mean_squared_error", "rmse")
for _function, _names in (
    (keras_losses.mape, ("mean_absolute_percentage_error", "mape")),
    (keras_losses.msle, ("mean_squared_logarithmic_error", "msle")),
    (keras_losses.kld, ("kl_divergence", "kld", "kullback_leibler_divergence")),
    (keras_losses.poisson, ("poisson",)),
    (keras_losses.hinge, ("hinge",)),
    (keras_losses.squared_hinge, ("squared_hinge",)),
    (keras_losses.categorical_hinge, ("categorical_hinge",)),
    (keras_losses.log_cosh, ("logcosh", "log_cosh")),
    (_negative_cosine_similarity, ("cosine_similarity",)),
):
    registry.register("metric", functools.partial(MeanMetricWrapper, _function), *_names)
