"""BatchNormalization with Keras's arguments, running on torch's fused kernel."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import initializers
from cnnkit.layers.base import Layer
from cnnkit.layers.layout import Shape


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
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if not 0 <= momentum < 1:
            raise self.error(f"momentum must be in [0, 1); received momentum={momentum!r}")
        if epsilon <= 0:
            raise self.error(f"epsilon must be positive; received epsilon={epsilon!r}")
        self.axis, self.momentum, self.epsilon = axis, float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        if rank < 2:
            raise self.error(f"expected input of rank >= 2; received {input_shape}")
        if self.axis % rank != rank - 1:
            raise self.error(f"only the channels axis (axis=-1) is supported; received axis={self.axis}")
        if input_shape[-1] is None:
            raise self.error("the channels axis of the input must be known")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        channels = (input_shape[-1],)
        self.gamma = self.add_weight("gamma", channels, self.gamma_initializer) if self.scale else None
        self.beta = self.add_weight("beta", channels, self.beta_initializer) if self.center else None
        self.add_weight("moving_mean", channels, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", channels, self.moving_variance_initializer, trainable=False)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        sequence = x.dim() == 3  # (batch, steps, channels): torch wants channels in dimension 1
        if sequence:
            x = x.transpose(1, 2)
        y = F.batch_norm(
            x,
            self.moving_mean,
            self.moving_variance,
            self.gamma,
            self.beta,
            training=self.training and self.trainable,
            momentum=1.0 - self.momentum,
            eps=self.epsilon,
        )
        return y.transpose(1, 2) if sequence else y

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
        }
