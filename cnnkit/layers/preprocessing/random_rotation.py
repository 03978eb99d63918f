"""RandomRotation: a random augmentation, applied only while training."""

from __future__ import annotations

import math

import torch

from cnnkit.layers.preprocessing.base_augmentation import _AffineAugmentation, _range, _uniform


class RandomRotation(_AffineAugmentation):
    """Rotates each image by a random angle: `factor` is a fraction of a full turn (0.1 = up to 36 degrees)."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.low, self.high = _range(factor, "factor", self)

    def matrices(self, x: torch.Tensor) -> torch.Tensor:
        angle = _uniform(x.shape[0], self.low, self.high, x) * 2 * math.pi
        h, w = x.shape[-2:]
        cos, sin = torch.cos(angle), torch.sin(angle)
        zero = torch.zeros_like(angle)
        # grid units differ by axis (width spans w pixels, height h): scale to keep the rotation rigid
        return torch.stack([torch.stack([cos, -sin * h / w, zero], 1), torch.stack([sin * w / h, cos, zero], 1)], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}
