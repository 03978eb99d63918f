"""RandomContrast: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.base_augmentation import _ImageAugmentation, _uniform


class RandomContrast(_ImageAugmentation):
    """Scales each image's contrast by a random factor in [1 - lower, 1 + upper] around its mean
    (per channel), then clips to `value_range` (Keras 3's default (0, 255))."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        lower, upper = (factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
        if not 0 <= lower <= 1 or upper < 0:
            raise self.error(f"factor must be in [0, 1] (or a pair of them); received factor={factor!r}")
        self.factor, self.value_range = factor, tuple(value_range)
        self.low, self.high = 1 - lower, 1 + upper

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        strength = _uniform(x.shape[0], self.low, self.high, x).view(-1, 1, 1, 1)
        mean = x.mean(dim=(2, 3), keepdim=True)
        return ((x - mean) * strength + mean).clamp(*self.value_range)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": list(self.value_range)}
