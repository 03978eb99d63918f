"""GaussianDropout: multiply by noise of mean 1 while training."""

from __future__ import annotations

import math

import torch

from cnnkit.layers.layer import Layer


class _RateNoise(Layer):
    """Noise whose strength is a drop `rate` in [0, 1), in training only. Shape unchanged."""

    supports_masking = True

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        if seed is not None:
            raise self.error("seed is not supported; seed everything with cnnkit.utils.set_random_seed instead")
        self.rate = float(rate)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}


class GaussianDropout(_RateNoise):
    """Multiplies by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate)): the
    same variance as dropout at `rate`, without zeros (Srivastava et al. 2014, section 10)."""

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rate == 0:
            return x
        return x * (1.0 + math.sqrt(self.rate / (1.0 - self.rate)) * torch.randn_like(x))
