"""UpSampling1D: each timestep repeated."""

from __future__ import annotations

import torch

from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import SEQUENCE
from cnnkit.layers.layer import Layer


class UpSampling1D(Layer):
    """Each step repeated `size` times: (batch, steps, channels) -> (batch, steps * size, channels)."""

    def __init__(self, size: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        positive_int(size, "size", self)
        self.size = size

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, c = input_shape
        return (n, None if steps is None else steps * self.size, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.repeat_interleave(self.size, dim=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
