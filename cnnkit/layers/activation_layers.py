"""Activation layers with arguments of their own: ReLU, LeakyReLU, Softmax."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.base import Layer
from cnnkit.layers.layout import runtime_dim


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
