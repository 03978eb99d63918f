"""UpSampling2D: nearest or bilinear upsampling of images."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import check_data_format, check_positive_pair
from cnnkit.layers.layer import Layer

IMAGE = "(batch, height, width, channels)"


class UpSampling2D(Layer):
    """Each image `size` (rows, cols) times larger: pixels repeated ("nearest", Keras's default)
    or interpolated at pixel centres ("bilinear")."""

    def __init__(self, size=(2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs) -> None:
        super().__init__(**kwargs)
        self.size = check_positive_pair(size, "size", f"UpSampling2D '{self.name}'")
        check_data_format(data_format, f"UpSampling2D '{self.name}'")
        if interpolation not in ("nearest", "bilinear"):
            raise self.error(f"interpolation must be 'nearest' or 'bilinear'; received interpolation={interpolation!r}")
        self.interpolation = interpolation

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, IMAGE)
        n, h, w, c = input_shape
        return (n, None if h is None else h * self.size[0], None if w is None else w * self.size[1], c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if self.interpolation == "nearest":
            return F.interpolate(x, scale_factor=self.size, mode="nearest")  # whole factors: plain repeats
        size = (x.shape[-2] * self.size[0], x.shape[-1] * self.size[1])
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}
