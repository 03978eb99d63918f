"""Conv2DTranspose: the transposed 2-D convolution, TensorFlow's definition."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import add_bias, add_kernel, as_pair, check_filters, set_weight_arguments
from cnnkit.layers.convolutional.base_conv import convolution_config, set_window_arguments
from cnnkit.layers.layer import Layer
from cnnkit.layers.reshaping.up_sampling2d import IMAGE


def transposed_length(size: int | None, kernel: int, stride: int, padding: str, output_padding, dilation: int):
    """Keras's output length of a transposed convolution along one axis (None stays None)."""
    if size is None:
        return None
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        return size * stride + (max(span - stride, 0) if padding == "valid" else 0)
    cut = span // 2 if padding == "same" else 0
    return (size - 1) * stride + span - 2 * cut + output_padding


class Conv2DTranspose(Layer):
    """Transposed 2-D convolution: `activation(conv_transpose(x, kernel) + bias)`.

    Input (batch, height, width, channels); output (batch, new_height, new_width, filters), e.g.
    twice the size with strides=2 and padding='same'. The kernel is Keras's (kh, kw, filters,
    channels) in get_weights(), stored as torch's (channels, filters, kh, kw)."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1),
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=(1, 1),
        activation: str | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.filters, self.groups = check_filters(self, filters), 1
        owner = set_window_arguments(self, kernel_size, strides, dilation_rate, data_format)
        if padding not in ("valid", "same"):
            raise self.error(f"padding must be 'valid' or 'same'; received padding={padding!r}")
        self.padding = padding
        self.output_padding = None
        if output_padding is not None:
            pair = as_pair(output_padding, "output_padding", owner)
            if any(p < 0 or p >= s for p, s in zip(pair, self.strides)):
                received = f"output_padding={output_padding!r}, strides={self.strides}"
                raise self.error(f"output_padding must be >= 0 and smaller than strides; received {received}")
            self.output_padding = pair
        set_weight_arguments(
            self,
            activation,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            kernel_constraint,
            bias_constraint,
        )

    def _lengths(self, height, width) -> list:
        paddings = self.output_padding or (None, None)
        return [
            transposed_length(size, k, s, self.padding, p, d)
            for size, k, s, p, d in zip((height, width), self.kernel_size, self.strides, paddings, self.dilation_rate)
        ]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, IMAGE)
        n, h, w, c = input_shape
        if c is None:
            raise self.error("the channels axis of the input must be known")
        return (n, *self._lengths(h, w), self.filters)

    def build(self, input_shape: Shape) -> None:
        kernel_shape = (*self.kernel_size, self.filters, input_shape[-1])
        add_kernel(self, kernel_shape, (3, 2, 0, 1))
        add_bias(self, self.filters)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        lengths = self._lengths(x.shape[-2], x.shape[-1])
        windows, extra = [], []
        for size, length, k, s, d in zip(x.shape[-2:], lengths, self.kernel_size, self.strides, self.dilation_rate):
            whole = (size - 1) * s + (k - 1) * d + 1  # torch's output without padding
            start = max(whole - length, 0) // 2 if self.padding == "same" else 0  # TensorFlow's cut
            windows.append(slice(start, start + length))
            extra.append(max(start + length - whole, 0))  # past the end: bias only, as in TensorFlow
        out = F.conv_transpose2d(x, self.kernel, self.bias, self.strides, 0, tuple(extra), 1, self.dilation_rate)
        return out[..., windows[0], windows[1]]

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        config = {**super().get_config(), **convolution_config(self), "output_padding": self.output_padding}
        del config["groups"]
        return config
