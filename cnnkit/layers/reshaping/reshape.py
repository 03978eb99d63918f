"""Reshape."""

from __future__ import annotations

import math

import torch

from cnnkit.common.layout import Shape, format_shape, to_channels_first, to_channels_last
from cnnkit.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (channels-last; one entry may be -1).

    Input shape: (batch, ...). Output shape: (batch, *target_shape).
    """

    def __init__(self, target_shape: tuple, **kwargs) -> None:
        super().__init__(**kwargs)
        target = tuple(target_shape)
        if not all(isinstance(d, int) and (d > 0 or d == -1) for d in target) or target.count(-1) > 1:
            raise self.error(f"target_shape must hold positive ints and at most one -1; received {target_shape!r}")
        self.target_shape = target

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        dims = input_shape[1:]
        if None in dims:
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        size = math.prod(dims)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise self.error(f"cannot reshape input {format_shape(input_shape)} to {self.target_shape}")
            target = tuple(size // known if d == -1 else d for d in self.target_shape)
        else:
            target = self.target_shape
        if math.prod(target) != size:
            raise self.error(
                f"cannot reshape input {format_shape(input_shape)} ({size} values) to "
                f"{self.target_shape} ({math.prod(target)} values)"
            )
        return (input_shape[0], *target)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        # Reshape in Keras's channels-last order, then return to NCHW if the result is an image.
        return to_channels_first(to_channels_last(x).reshape(x.shape[0], *self.target_shape))

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}
