"""RepeatVector."""

from __future__ import annotations

import torch

from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


class RepeatVector(Layer):
    """Each sample's vector `n` times: (batch, features) -> (batch, n, features), e.g. an LSTM
    encoder's summary fed to every step of a decoder."""

    def __init__(self, n: int, **kwargs) -> None:
        super().__init__(**kwargs)
        positive_int(n, "n", self)
        self.n = n

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 2, "(batch, features)")
        return (input_shape[0], self.n, input_shape[1])

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(1).expand(-1, self.n, -1)

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}
