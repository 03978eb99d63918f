"""CenterCrop: the central part of each image."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.image_preprocessing import _crop_to_aspect, _ImagePreprocessing, _resize


class CenterCrop(_ImagePreprocessing):
    """The centre (height, width) of each image. An image smaller than that is cropped to the
    target's aspect ratio and resized up to it, as in Keras."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        if height >= self.height and width >= self.width:
            top, left = (height - self.height) // 2, (width - self.width) // 2
            return x[..., top : top + self.height, left : left + self.width]
        size = (self.height, self.width)
        return _resize(_crop_to_aspect(x, size), size, "bilinear")
