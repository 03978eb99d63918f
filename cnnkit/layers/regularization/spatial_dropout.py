"""SpatialDropout1D/2D: drop whole feature maps instead of single values."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


class _SpatialDropout(Layer):
    """Dropout of whole channels: in training each channel of each sample is zeroed everywhere
    with probability `rate` (the rest scaled by 1/(1 - rate)). Output shape: the input's."""

    RANK, LAYOUT = 4, "(batch, height, width, channels)"

    def __init__(self, rate: float, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        self.rate = float(rate)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.RANK, self.LAYOUT)
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class SpatialDropout1D(_SpatialDropout):
    """Whole channels of a sequence (batch, steps, channels), at every step together."""

    RANK, LAYOUT = 3, "(batch, steps, channels)"

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout1d(x.transpose(1, 2), self.rate, self.training).transpose(1, 2)


class SpatialDropout2D(_SpatialDropout):
    """Whole feature maps of an image (batch, height, width, channels)."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout2d(x, self.rate, self.training)
