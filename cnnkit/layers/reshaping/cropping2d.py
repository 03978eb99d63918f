"""Cropping2D."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.layer import Layer
from cnnkit.layers.reshaping.zero_padding2d import ZeroPadding2D


class Cropping2D(Layer):
    """Cuts rows and columns off the edges of images: `cropping` is an int, (rows, cols) or
    ((top, bottom), (left, right)), as ZeroPadding2D's `padding`.

    Input shape: (batch, height, width, channels). Output: (batch, cropped height, cropped width, channels).
    """

    def __init__(self, cropping: int | tuple = ((0, 0), (0, 0)), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = ZeroPadding2D._parse(self, cropping, "cropping")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.cropping
        sizes = (None if h is None else h - top - bottom, None if w is None else w - left - right)
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(f"cropping {self.cropping} leaves nothing of input {format_shape(input_shape)}")
        return (n, *sizes, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = self.cropping
        return x[..., top : x.shape[-2] - bottom, left : x.shape[-1] - right]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}
