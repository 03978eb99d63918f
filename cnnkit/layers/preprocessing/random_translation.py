"""RandomTranslation: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.base_augmentation import _AffineAugmentation, _range, _uniform


class RandomTranslation(_AffineAugmentation):
    """Shifts each image by a random fraction of its height and width."""

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _range(height_factor, "height_factor", self)
        self.width_range = _range(width_factor, "width_factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        dy = _uniform(n, *self.height_range, x) * 2  # a fraction of the size is twice that in [-1, 1] units
        dx = _uniform(n, *self.width_range, x) * 2
        one, zero = torch.ones_like(dx), torch.zeros_like(dx)
        return torch.stack([torch.stack([one, zero, -dx], 1), torch.stack([zero, one, -dy], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}
