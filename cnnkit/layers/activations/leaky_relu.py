"""LeakyReLU: x for x > 0, negative_slope * x below."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.layer import Layer


class LeakyReLU(Layer):
    """`x` for x >= 0, `negative_slope * x` below. Keras 2's `alpha=` is accepted too.

    Default slope 0.3, as Keras's LeakyReLU layer.
    """

    supports_masking = True

    def __init__(self, negative_slope: float = 0.3, alpha: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        slope = negative_slope if alpha is None else alpha
        if not isinstance(slope, (int, float)) or slope < 0:
            raise self.error(f"negative_slope must be a number >= 0; received {slope!r}")
        self.negative_slope = float(slope)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}
