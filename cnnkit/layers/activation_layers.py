"""Activation layers with arguments of their own: ReLU, LeakyReLU, ELU, PReLU, ThresholdedReLU, Softmax."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.layout import Shape, runtime_dim
from cnnkit.layers.base import Layer


class ReLU(Layer):
    """`max(x, 0)`, or Keras's general form with `max_value`, `negative_slope` and `threshold`."""

    supports_masking = True

    def __init__(
        self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise self.error(f"max_value must be >= 0; received max_value={max_value}")
        if negative_slope < 0:
            raise self.error(f"negative_slope must be >= 0; received negative_slope={negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if self.negative_slope == 0 and self.threshold == 0:
            y = F.relu(x)
        else:
            y = torch.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        return y if self.max_value is None else y.clamp(max=self.max_value)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


class LeakyReLU(Layer):
    """`x` for x >= 0, `negative_slope * x` below. Keras 2's `alpha=` is accepted too.

    Default slope 0.3, as Keras's LeakyReLU layer.
    """

    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, alpha: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        slope = negative_slope if alpha is None else alpha
        if not isinstance(slope, (int, float)) or slope < 0:
            raise self.error(f"negative_slope must be a number >= 0; received {slope!r}")
        self.negative_slope = float(slope)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(Layer):
    """`x` for x > 0, `alpha * (exp(x) - 1)` below (Clevert et al. 2015). Default alpha 1.0."""

    supports_masking = True

    def __init__(self, alpha: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
            raise self.error(f"alpha must be a number; received alpha={alpha!r}")
        self.alpha = float(alpha)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(Layer):
    """A leaky ReLU whose negative slopes are learned (He et al. 2015): `x` for x >= 0,
    `alpha * x` below. Keras's alpha has the input's shape (without the batch axis), with size 1
    along `shared_axes` (e.g. shared_axes=[1, 2] learns one slope per channel of an image);
    alpha starts at zeros."""

    def __init__(
        self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        shared = [] if shared_axes is None else shared_axes
        shared = list(shared) if isinstance(shared, (list, tuple)) else [shared]
        if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 1 for a in shared):
            raise self.error(f"shared_axes must be axes >= 1 (not the batch); received shared_axes={shared_axes!r}")
        self.shared_axes = shared
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if any(a >= len(input_shape) for a in self.shared_axes):
            raise self.error(f"shared_axes={self.shared_axes} do not fit input {tuple(input_shape)}")
        if any(d is None for n, d in enumerate(input_shape) if n and n not in self.shared_axes):
            raise self.error(f"input {tuple(input_shape)} has an unknown axis: share it (shared_axes)")
        return tuple(input_shape)

    def build(self, input_shape: Shape) -> None:
        shape = tuple(1 if n in self.shared_axes else d for n, d in enumerate(input_shape) if n)
        # Stored as torch's layout broadcasts it: images' (H, W, C) slopes as (C, H, W).
        order = (2, 0, 1) if len(shape) == 3 else None
        self.add_weight("alpha", shape, self.alpha_initializer, torch_order=order)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.alpha * x)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "alpha_initializer": initializers.name_of(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
            "alpha_constraint": constraints.serialize(self.alpha_constraint),
            "shared_axes": self.shared_axes or None,
        }


class ThresholdedReLU(Layer):
    """Keras 2's `x if x > theta else 0` (theta 1.0 by default)."""

    supports_masking = True

    def __init__(self, theta: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(theta, (int, float)) or isinstance(theta, bool) or theta < 0:
            raise self.error(f"theta must be a number >= 0; received theta={theta!r}")
        self.theta = float(theta)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x > self.theta, x, torch.zeros_like(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "theta": self.theta}


class Softmax(Layer):
    """Softmax over `axis` (default -1, the channels/classes axis)."""

    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        if axis == -1:
            self.output_activation = "softmax"

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=runtime_dim(self.axis, x.dim()))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
