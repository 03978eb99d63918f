"""RandomBrightness: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.base_augmentation import _ImageAugmentation, _uniform


class RandomBrightness(_ImageAugmentation):
    """Adds to each image a random brightness shift, the same for all its pixels and channels:
    a number drawn in [lower, upper] times the width of `value_range`, then clips to that range
    (Keras 3's definition). `factor` in [-1, 1]: f means [-f, f], a pair (lower, upper) itself."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        pair = factor if isinstance(factor, (tuple, list)) else None
        number = isinstance(factor, (int, float)) and not isinstance(factor, bool)
        if (pair is None and not (number and -1 <= factor <= 1)) or (pair is not None and len(pair) != 2):
            raise self.error(f"factor must be a number in [-1, 1] or a pair of them; received factor={factor!r}")
        self.low, self.high = sorted(pair) if pair is not None else (-abs(factor), abs(factor))
        if self.low > 1 or self.high < -1:
            raise self.error(f"factor must be a number in [-1, 1] or a pair of them; received factor={factor!r}")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise self.error(f"value_range must be (low, high); received value_range={value_range!r}")
        self.factor, self.value_range = factor, tuple(sorted(value_range))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        span = self.value_range[1] - self.value_range[0]
        shift = _uniform(x.shape[0], self.low, self.high, x).view(-1, 1, 1, 1) * span
        return (x + shift).clamp(*self.value_range)

    def get_config(self) -> dict:
        factor = list(self.factor) if isinstance(self.factor, (tuple, list)) else self.factor
        return {**super().get_config(), "factor": factor, "value_range": list(self.value_range)}
