"""Padding, cropping and upsampling along time, for sequences (batch, steps, channels), the 1-D
forms of ZeroPadding2D, Cropping2D and UpSampling2D used around Conv1D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.base import Layer

SEQUENCE = "(batch, steps, channels)"


def _start_and_end(value, argument: str, layer: Layer) -> tuple[int, int]:
    """An int for both ends, or (start, end), each >= 0."""
    pair = (value, value) if isinstance(value, int) else value
    try:
        start, end = pair
    except (TypeError, ValueError):
        start = end = None
    if not all(isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in (start, end)):
        raise layer.error(f"{argument} must be an int or (start, end) of non-negative ints; received {value!r}")
    return start, end


class ZeroPadding1D(Layer):
    """Zeros before and after the steps: `padding` is an int or (before, after)."""

    def __init__(self, padding: int | tuple = 1, **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = _start_and_end(padding, "padding", self)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, c = input_shape
        return (n, None if steps is None else steps + sum(self.padding), c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, (0, 0, *self.padding))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}


class Cropping1D(Layer):
    """Cuts steps off the start and end: `cropping` is an int or (start, end)."""

    def __init__(self, cropping: int | tuple = (1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.cropping = _start_and_end(cropping, "cropping", self)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, c = input_shape
        left = None if steps is None else steps - sum(self.cropping)
        if left is not None and left <= 0:
            raise self.error(f"cropping {self.cropping} leaves nothing of input {format_shape(input_shape)}")
        return (n, left, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        start, end = self.cropping
        return x[:, start : x.shape[1] - end]

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}


class UpSampling1D(Layer):
    """Each step repeated `size` times: (batch, steps, channels) -> (batch, steps * size, channels)."""

    def __init__(self, size: int = 2, **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            raise self.error(f"size must be a positive int; received size={size!r}")
        self.size = size

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, c = input_shape
        return (n, None if steps is None else steps * self.size, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.repeat_interleave(self.size, dim=1)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}
