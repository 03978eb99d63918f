"""Cropping1D, and the (start, end) argument it shares with ZeroPadding1D."""

from __future__ import annotations

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.arguments import SEQUENCE
from cnnkit.layers.layer import Layer


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
