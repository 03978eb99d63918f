"""Flatten."""

from __future__ import annotations

import math

import torch

from cnnkit.common.layout import Shape, to_channels_last
from cnnkit.layers.layer import Layer


class Flatten(Layer):
    """Flattens each sample into one vector, in Keras's (height, width, channels) order.

    Input shape: (batch, ...). Output shape: (batch, product of the other axes).
    Keeping Keras's order means Flatten then Reshape round-trips exactly as in Keras, and Dense
    kernels after a Flatten have Keras's row order.
    """

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        dims = input_shape[1:]
        return (input_shape[0], None if None in dims else math.prod(dims))

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return to_channels_last(x).reshape(x.shape[0], -1)
