"""RandomZoom: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.base_augmentation import _AffineAugmentation, _range, _uniform


class RandomZoom(_AffineAugmentation):
    """Zooms each image by a random amount: a positive factor zooms out (the image shrinks), a
    negative one zooms in. `width_factor=None` uses the height's zoom for the width too."""

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _range(height_factor, "height_factor", self)
        self.width_range = None if width_factor is None else _range(width_factor, "width_factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        zy = 1 + _uniform(n, *self.height_range, x)
        zx = zy if self.width_range is None else 1 + _uniform(n, *self.width_range, x)
        zero = torch.zeros_like(zy)
        return torch.stack([torch.stack([zx, zero, zero], 1), torch.stack([zero, zy, zero], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}
