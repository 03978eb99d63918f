"""BatchNormalization (on torch's fused kernel) and LayerNormalization, with Keras's arguments."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.layout import Shape, runtime_dim
from cnnkit.layers.base import Layer


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
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


def build_scale_and_shift(layer: Layer, channels: int) -> None:
    layer.gamma = layer.add_weight("gamma", (channels,), layer.gamma_initializer) if layer.scale else None
    layer.beta = layer.add_weight("beta", (channels,), layer.beta_initializer) if layer.center else None


def channels_in_dim_1(function, x: torch.Tensor) -> torch.Tensor:
    """`function` on `x` with channels in dimension 1, as torch's normalisation kernels want them:
    images are NCHW already; sequences (batch, steps, channels) are turned around it."""
    if x.dim() != 3:
        return function(x)
    return function(x.transpose(1, 2)).transpose(1, 2)


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
        if self.axis % rank != rank - 1:
            raise self.error(f"only the channels axis (axis=-1) is supported; received axis={self.axis}")
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

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **scale_and_shift_config(self),
        }


class LayerNormalization(Layer):
    """Normalises each sample over `axis` (default -1, the features or channels) to mean 0 and
    variance 1, then scales by gamma and shifts by beta (Ba et al. 2016). Keras's defaults:
    epsilon 1e-3; gamma and beta have the sizes of the normalised axes. `rms_scaling=True` divides
    by the root mean square instead and skips centring (RMSNorm). Shape unchanged."""

    supports_masking = True

    def __init__(
        self,
        axis=-1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        rms_scaling: bool = False,
        beta_initializer: str | Callable = "zeros",
        gamma_initializer: str | Callable = "ones",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise self.error(f"axis must be an int or a list of ints; received axis={axis!r}")
        if epsilon <= 0:
            raise self.error(f"epsilon must be positive; received epsilon={epsilon!r}")
        self.axis, self.epsilon = axis, float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def _api_axes(self, rank: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        return sorted({a % rank for a in axes})

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        if any(not -rank <= a < rank or a % rank == 0 for a in axes):
            raise self.error(f"axis={self.axis!r} does not name a non-batch axis of input {tuple(input_shape)}")
        if any(input_shape[a] is None for a in self._api_axes(rank)):
            raise self.error(f"the normalised axes of input {tuple(input_shape)} must be known")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        rank = len(input_shape)
        api_axes = self._api_axes(rank)
        shape = tuple(input_shape[a] for a in api_axes)
        # As in Keras, rms_scaling always scales by gamma and never shifts.
        scaled, centred = self.scale or self.rms_scaling, self.center and not self.rms_scaling
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer) if scaled else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer) if centred else None
        # Where those axes live at run time (NCHW for images), and how gamma and beta broadcast there.
        runtime = [runtime_dim(a, rank) for a in api_axes]
        self._dims = sorted(runtime)
        self._order = sorted(range(len(runtime)), key=lambda i: runtime[i])
        runtime_shape = [1] * rank
        for dim, size in zip(runtime, shape):
            runtime_shape[dim] = size
        self._view = runtime_shape
        # Trailing axes of a feature or sequence tensor: torch's fused kernel takes them as they are.
        self._fused = rank != 4 and not self.rms_scaling and self._dims == list(range(rank - len(runtime), rank))

    def _broadcast(self, weight: torch.Tensor) -> torch.Tensor:
        return weight.permute(self._order).reshape(self._view)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if self._fused:
            return F.layer_norm(x, x.shape[-len(self._dims) :], self.gamma, self.beta, self.epsilon)
        if self.rms_scaling:
            y = x * torch.rsqrt(x.square().mean(self._dims, keepdim=True) + self.epsilon)
        else:
            variance, mean = torch.var_mean(x, self._dims, correction=0, keepdim=True)
            y = (x - mean) * torch.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            y = y * self._broadcast(self.gamma)
        if self.beta is not None:
            y = y + self._broadcast(self.beta)
        return y

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": list(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
        }
