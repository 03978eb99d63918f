"""LayerNormalization (Ba et al. 2016)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, runtime_dim
from cnnkit.layers.layer import Layer
from cnnkit.layers.normalization.batch_normalization import scale_and_shift_config, set_scale_and_shift


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
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or not all(isinstance(a, int) and not isinstance(a, bool) for a in axes):
            raise self.error(f"axis must be an int or a list of ints; received axis={axis!r}")
        if epsilon <= 0:
            raise self.error(f"epsilon must be positive; received epsilon={epsilon!r}")
        self.axis, self.epsilon = axis, float(epsilon)
        self.rms_scaling = bool(rms_scaling)
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

    def _api_axes(self, rank: int) -> list[int]:
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        return sorted({self.api_axis(a, rank) % rank for a in axes})

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
        self.gamma = (
            self.add_weight(
                "gamma",
                shape,
                self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
            if scaled
            else None
        )
        self.beta = (
            self.add_weight(
                "beta", shape, self.beta_initializer, regularizer=self.beta_regularizer, constraint=self.beta_constraint
            )
            if centred
            else None
        )
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
            "rms_scaling": self.rms_scaling,
            **scale_and_shift_config(self),
        }
