"""Resizing: images to a fixed height and width."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.image_preprocessing import (
    INTERPOLATIONS,
    _crop_to_aspect,
    _ImagePreprocessing,
    _pad_to_aspect,
    _resize,
)


class Resizing(_ImagePreprocessing):
    """Images resized to (height, width). `crop_to_aspect_ratio` first crops the centre to the
    target's aspect ratio, `pad_to_aspect_ratio` pads with fill_value to it: nothing is stretched."""

    def __init__(
        self,
        height: int,
        width: int,
        interpolation: str = "bilinear",
        crop_to_aspect_ratio: bool = False,
        pad_to_aspect_ratio: bool = False,
        fill_mode: str = "constant",
        fill_value: float = 0.0,
        **kwargs,
    ) -> None:
        super().__init__(height, width, **kwargs)
        if interpolation not in INTERPOLATIONS:
            names = ", ".join(map(repr, INTERPOLATIONS))
            raise self.error(f"interpolation must be one of {names}; received interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise self.error("only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
        if fill_mode != "constant":
            raise self.error(f"fill_mode must be 'constant'; received fill_mode={fill_mode!r}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value = fill_mode, float(fill_value)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        size = (self.height, self.width)
        if self.crop_to_aspect_ratio:
            x = _crop_to_aspect(x, size)
        elif self.pad_to_aspect_ratio:
            x = _pad_to_aspect(x, size, self.fill_value)
        return _resize(x, size, self.interpolation)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
        }
