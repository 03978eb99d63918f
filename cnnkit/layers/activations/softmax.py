"""Softmax as a layer, along any axis."""

from __future__ import annotations

import torch

from cnnkit.common.layout import runtime_dim
from cnnkit.layers.layer import Layer


class Softmax(Layer):
    """Softmax over `axis` (default -1, the channels/classes axis)."""

    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.axis = axis
        if axis == -1 and not self._channels_first_axes:  # a loss may then take the logits of the class axis
            self.output_activation = "softmax"

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return x

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=runtime_dim(self.api_axis(self.axis, x.dim()), x.dim()))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
