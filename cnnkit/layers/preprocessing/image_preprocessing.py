"""What the image preprocessing layers share: sizes, interpolation, cropping or padding to an aspect ratio."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer

# Keras's interpolation names and torch's modes for them ("nearest-exact" samples pixel centres,
# as TensorFlow's and Keras's nearest does).
INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}


def _resize(x: torch.Tensor, size: tuple[int, int], interpolation: str) -> torch.Tensor:
    if tuple(x.shape[-2:]) == size:
        return x
    mode = INTERPOLATIONS[interpolation]
    corners = False if mode in ("bilinear", "bicubic") else None  # pixel centres, as Keras
    return F.interpolate(x, size=size, mode=mode, align_corners=corners)


def _crop_to_aspect(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """The largest centred window of `x` with the aspect ratio of `size` (height, width)."""
    height, width = x.shape[-2:]
    crop_height = min(height, width * size[0] // size[1])
    crop_width = min(width, height * size[1] // size[0])
    top, left = (height - crop_height) // 2, (width - crop_width) // 2
    return x[..., top : top + crop_height, left : left + crop_width]


def _pad_to_aspect(x: torch.Tensor, size: tuple[int, int], fill_value: float) -> torch.Tensor:
    """`x` centred on the smallest canvas with the aspect ratio of `size`, filled with fill_value."""
    height, width = x.shape[-2:]
    pad_height = max(height, -(-width * size[0] // size[1]))
    pad_width = max(width, -(-height * size[1] // size[0]))
    top, left = (pad_height - height) // 2, (pad_width - width) // 2
    sides = (left, pad_width - width - left, top, pad_height - height - top)
    return F.pad(x, sides, value=fill_value)


class _ImagePreprocessing(Layer):
    def __init__(self, height: int, width: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.height, self.width = positive_int(height, "height", self), positive_int(width, "width", self)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        return (input_shape[0], self.height, self.width, input_shape[3])

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}
