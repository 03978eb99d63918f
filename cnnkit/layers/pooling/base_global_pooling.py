"""What the global pooling layers share."""

from __future__ import annotations

from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import SEQUENCE, check_data_format
from cnnkit.layers.layer import Layer


class _GlobalPooling1D(Layer):
    """Input shape: (batch, steps, channels). Output: (batch, channels), or (batch, 1, channels)
    with keepdims=True."""

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, _, channels = input_shape
        return (n, 1, channels) if self.keepdims else (n, channels)

    def get_config(self) -> dict:
        return {**super().get_config(), "keepdims": self.keepdims}


class _GlobalPooling2D(Layer):
    """Input shape: (batch, height, width, channels). Output: (batch, channels), or
    (batch, 1, 1, channels) with keepdims=True."""

    def __init__(self, data_format=None, keepdims: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, _, _, c = input_shape
        return (n, 1, 1, c) if self.keepdims else (n, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "keepdims": self.keepdims}
