"""GaussianNoise: add zero-mean noise while training."""

from __future__ import annotations

import torch

from cnnkit.layers.layer import Layer


class GaussianNoise(Layer):
    """Adds zero-mean Gaussian noise of standard deviation `stddev` in training only (a
    regulariser). Shape unchanged."""

    supports_masking = True

    def __init__(self, stddev: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(stddev, (int, float)) or stddev < 0:
            raise self.error(f"stddev must be a number >= 0; received stddev={stddev!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.stddev = float(stddev)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.stddev == 0:
            return x
        return x + self.stddev * torch.randn_like(x)

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev}
