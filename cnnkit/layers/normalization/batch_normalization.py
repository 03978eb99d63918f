"""BatchNormalization (Ioffe & Szegedy 2015), with Keras's momentum and epsilon."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


def set_scale_and_shift(
    layer: Layer,
    center,
    scale,
    beta_initializer,
    gamma_initializer,
    beta_regularizer,
    gamma_regularizer,
    beta_constraint,
    gamma_constraint,
) -> None:
    """The arguments of a normalisation's learned scale (gamma) and shift (beta), Keras's names."""
    layer.center, layer.scale = bool(center), bool(scale)
    layer.beta_initializer = initializers.get(beta_initializer)
    layer.gamma_initializer = initializers.get(gamma_initializer)
    layer.beta_regularizer = regularizers.get(beta_regularizer)
    layer.gamma_regularizer = regularizers.get(gamma_regularizer)
    layer.beta_constraint = constraints.get(beta_constraint)
    layer.gamma_constraint = constraints.get(gamma_constraint)


def scale_and_shift_config(layer: Layer) -> dict:
    return {
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


def build_scale_and_shift(layer: Layer, channels: int) -> None:
    layer.gamma = (
        layer.add_weight(
            "gamma",
            (channels,),
            layer.gamma_initializer,
            regularizer=layer.gamma_regularizer,
            constraint=layer.gamma_constraint,
        )
        if layer.scale
        else None
    )
    layer.beta = (
        layer.add_weight(
            "beta",
            (channels,),
            layer.beta_initializer,
            regularizer=layer.beta_regularizer,
            constraint=layer.beta_constraint,
        )
        if layer.center
        else None
    )


def channels_in_dim_1(function, x: torch.Tensor) -> torch.Tensor:
    """`function` on `x` with channels in dimension 1, as torch's normalisation kernels want them:
    images are NCHW already, (batch, channels) too; sequences (batch, steps, channels) and volumes
    or clips (rank 5 and up, channels last inside cnnkit too) are turned around it."""
    if x.dim() in (2, 4):
        return function(x)
    return function(x.movedim(-1, 1)).movedim(1, -1)


class BatchNormalization(Layer):
    """Normalises each channel by its batch statistics in training, by moving averages otherwise.

    Input shape: any, with channels on the last axis. Output shape: the same.
    Keras semantics: `momentum=0.99` means moving = 0.99 * moving + 0.01 * batch statistic (torch
    calls 0.01 the momentum); `epsilon=1e-3`. The four weights are gamma, beta (trainable) and
    moving_mean, moving_variance (non-trainable, counted in `count_params` as Keras does). As in
    Keras, a layer with `trainable=False` always runs in inference mode, using its moving statistics.
    One difference from Keras: torch's kernel updates the moving variance with the unbiased
    (n / (n - 1)) batch variance; normalisation itself uses the biased one, as Keras does.
    """

    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | Callable = "zeros",
        gamma_initializer: str | Callable = "ones",
        moving_mean_initializer: str | Callable = "zeros",
        moving_variance_initializer: str | Callable = "ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not 0 <= momentum < 1:
            raise self.error(f"momentum must be in [0, 1); received momentum={momentum!r}")
        if epsilon <= 0:
            raise self.error(f"epsilon must be positive; received epsilon={epsilon!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        set_scale_and_shift(
            self,
            center,
            scale,
            beta_initializer,
            gamma_initializer,
            beta_regularizer,
            gamma_regularizer,
            beta_constraint,
            gamma_constraint,
        )
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        if rank < 2:
            raise self.error(f"expected input of rank >= 2; received {input_shape}")
        if self.api_axis(self.axis, rank) % rank != rank - 1:
            channels = 1 if self.api_axis(1, rank) == 3 else -1  # as the program names it
            raise self.error(f"only the channels axis (axis={channels}) is supported; received axis={self.axis}")
        if input_shape[-1] is None:
            raise self.error("the channels axis of the input must be known")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        channels = (input_shape[-1],)
        build_scale_and_shift(self, input_shape[-1])
        self.add_weight("moving_mean", channels, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", channels, self.moving_variance_initializer, trainable=False)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        def normalise(x):
            if self.training and self.trainable and x.numel() == x.shape[1]:
                return self._one_value_per_channel(x)
            return F.batch_norm(
                x,
                self.moving_mean,
                self.moving_variance,
                self.gamma,
                self.beta,
                training=self.training and self.trainable,
                momentum=1.0 - self.momentum,
                eps=self.epsilon,
            )

        return channels_in_dim_1(normalise, x)

    def _one_value_per_channel(self, x: torch.Tensor) -> torch.Tensor:
        """Training on one value per channel (the last batch of a data set holding one sample more
        than a multiple of the batch size): torch refuses it; Keras normalises by that batch's
        statistics, a mean of the value and a variance of 0, so the output is beta, and the moving
        statistics move toward them."""
        with torch.no_grad():
            batch_mean = x.detach().reshape(-1)
            self.moving_mean.mul_(self.momentum).add_(batch_mean, alpha=1.0 - self.momentum)
            self.moving_variance.mul_(self.momentum)
        view = (1, -1) + (1,) * (x.dim() - 2)
        normalised = (x - x) / math.sqrt(self.epsilon)  # zero, still connected to x as Keras's is
        if self.gamma is not None:
            normalised = normalised * self.gamma.reshape(view)
        if self.beta is not None:
            normalised = normalised + self.beta.reshape(view)
        return normalised

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **scale_and_shift_config(self),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
        }
