"""Permute."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, to_channels_first, to_channels_last
from cnnkit.layers.layer import Layer


class Permute(Layer):
    """Reorders the axes of each sample: `dims` numbers them from 1 (the batch axis stays first),
    in Keras's channels-last layout; Permute((2, 1)) swaps a sequence's steps and features."""

    def __init__(self, dims: tuple, **kwargs) -> None:
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise self.error(f"dims must be a permutation of 1..{len(dims)}; received dims={dims!r}")
        self.dims = dims

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != len(self.dims) + 1:
            raise self.error(f"dims={self.dims} needs inputs of rank {len(self.dims) + 1}; received {input_shape}")
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return to_channels_first(to_channels_last(x).permute(0, *self.dims))

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}
