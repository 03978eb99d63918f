"""ELU: x for x > 0, alpha * (exp(x) - 1) below."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.layer import Layer


class ELU(Layer):
    """`x` for x > 0, `alpha * (exp(x) - 1)` below (Clevert et al. 2015). Default alpha 1.0."""

    supports_masking = True

    def __init__(self, alpha: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
            raise self.error(f"alpha must be a number; received alpha={alpha!r}")
        self.alpha = float(alpha)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, self.alpha)

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}
