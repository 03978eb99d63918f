"""ReLU: max(x, 0) with Keras's optional negative slope, threshold and ceiling."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.layer import Layer


class ReLU(Layer):
    """`max(x, 0)`, or Keras's general form with `max_value`, `negative_slope` and `threshold`."""

    supports_masking = True

    def __init__(
        self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise self.error(f"max_value must be >= 0; received max_value={max_value}")
        if negative_slope < 0:
            raise self.error(f"negative_slope must be >= 0; received negative_slope={negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, x: torch.Tensor) -> torch.Tensor:
        if self.negative_slope == 0 and self.threshold == 0:
            y = F.relu(x)
        else:
            y = torch.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        return y if self.max_value is None else y.clamp(max=self.max_value)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
