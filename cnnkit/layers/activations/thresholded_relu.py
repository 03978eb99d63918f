"""ThresholdedReLU: x where x > theta, else 0 (Keras 2's advanced activation)."""

from __future__ import annotations

import torch

from cnnkit.layers.layer import Layer


class ThresholdedReLU(Layer):
    """Keras 2's `x if x > theta else 0` (theta 1.0 by default)."""

    supports_masking = True

    def __init__(self, theta: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(theta, (int, float)) or isinstance(theta, bool) or theta < 0:
            raise self.error(f"theta must be a number >= 0; received theta={theta!r}")
        self.theta = float(theta)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x > self.theta, x, torch.zeros_like(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "theta": self.theta}
