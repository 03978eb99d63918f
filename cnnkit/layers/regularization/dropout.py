"""Dropout (Srivastava et al. 2014): zero each input with probability rate while training."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.layer import Layer


class Dropout(Layer):
    """Zeroes a fraction `rate` of inputs during training and scales the rest by 1/(1 - rate).

    In evaluation and prediction it passes inputs through. Shape unchanged.
    """

    supports_masking = True

    def __init__(self, rate: float, noise_shape=None, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise self.error(f"rate must be a number in [0, 1); received rate={rate!r}")
        if noise_shape is not None or seed is not None:
            raise self.error(
                "noise_shape and seed are not supported; seed everything with cnnkit.utils.set_random_seed instead"
            )
        self.rate = float(rate)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.dropout(x, self.rate, self.training)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate}
