"""RandomFlip: a random augmentation, applied only while training."""

from __future__ import annotations

import torch

from cnnkit.layers.preprocessing.base_augmentation import _ImageAugmentation


class RandomFlip(_ImageAugmentation):
    """Flips each image left-right and/or up-down with probability 1/2.
    mode: "horizontal", "vertical" or "horizontal_and_vertical" (the default)."""

    def __init__(self, mode: str = "horizontal_and_vertical", seed=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise self.error(f"mode must be horizontal, vertical or horizontal_and_vertical; received mode={mode!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.mode = mode

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        for axis, wanted in ((3, "horizontal"), (2, "vertical")):
            if wanted in self.mode:
                flip = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
                x = torch.where(flip, x.flip(axis), x)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}
