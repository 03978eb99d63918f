"""ZeroPadding1D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import SEQUENCE
from cnnkit.layers.layer import Layer
from cnnkit.layers.reshaping.cropping1d import _start_and_end


class ZeroPadding1D(Layer):
    """Zeros before and after the steps: `padding` is an int or (before, after)."""

    def __init__(self, padding: int | tuple = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _start_and_end(padding, "padding", self)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, c = input_shape
        return (n, None if steps is None else steps + sum(self.padding), c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, (0, 0, *self.padding))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}
