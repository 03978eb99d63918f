"""ZeroPadding2D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.layer import Layer


class ZeroPadding2D(Layer):
    """Pads images with zeros: `padding` is an int, (rows, cols) or ((top, bottom), (left, right)).

    Input shape: (batch, height, width, channels). Output: (batch, padded height, padded width, channels).
    """

    def __init__(self, padding: int | tuple = (1, 1), **kwargs) -> None:
        super().__init__(**kwargs)
        self.padding = self._parse(padding)

    def _parse(self, padding, argument: str = "padding") -> tuple[tuple[int, int], tuple[int, int]]:
        try:
            if isinstance(padding, int):
                pads = ((padding, padding), (padding, padding))
            elif all(isinstance(p, int) for p in padding):
                rows, cols = padding
                pads = ((rows, rows), (cols, cols))
            else:
                (top, bottom), (left, right) = padding
                pads = ((top, bottom), (left, right))
        except (TypeError, ValueError):
            pads = None
        if pads is None or not all(isinstance(p, int) and p >= 0 for pair in pads for p in pair):
            raise self.error(
                f"{argument} must be an int, (rows, cols) or ((top, bottom), (left, right)) of "
                f"non-negative ints; received {argument}={padding!r}"
            )
        return pads

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        (top, bottom), (left, right) = self.padding
        return (n, None if h is None else h + top + bottom, None if w is None else w + left + right, c)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = self.padding
        return F.pad(x, (left, right, top, bottom))

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding}
