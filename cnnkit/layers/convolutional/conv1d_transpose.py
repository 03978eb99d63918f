"""Conv1DTranspose: the transposed 1-D convolution over sequences, TensorFlow's definition."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import (
    SEQUENCE,
    add_bias,
    add_kernel,
    check_data_format,
    check_filters,
    one_positive_int,
    set_weight_arguments,
    weight_arguments_config,
)
from cnnkit.layers.convolutional.conv2d_transpose import transposed_length
from cnnkit.layers.layer import Layer


class Conv1DTranspose(Layer):
    """Transposed 1-D convolution: `activation(conv_transpose(x, kernel) + bias)`.

    Input (batch, steps, channels); output (batch, new_steps, filters), e.g. twice the steps with
    strides=2 and padding='same'. The kernel is Keras's (k, filters, channels) in get_weights(),
    stored as torch's (channels, filters, k)."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        output_padding=None,
        data_format: str | None = None,
        dilation_rate=1,
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
        self.filters = check_filters(self, filters)
        single = [
            v[0] if isinstance(v, (tuple, list)) and len(v) == 1 else v for v in (kernel_size, strides, dilation_rate)
        ]
        self.kernel_size, self.strides, self.dilation_rate = (
            one_positive_int(value, name, self)
            for value, name in zip(single, ("kernel_size", "strides", "dilation_rate"))
        )
        check_data_format(data_format, f"Conv1DTranspose '{self.name}'")
        if padding not in ("valid", "same"):
            raise self.error(f"padding must be 'valid' or 'same'; received padding={padding!r}")
        self.padding = padding
        if output_padding is not None and not 0 <= int(output_padding) < self.strides:
            raise self.error(f"output_padding must be >= 0 and smaller than strides; received {output_padding!r}")
        self.output_padding = None if output_padding is None else int(output_padding)
        set_weight_arguments(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            kernel_constraint, bias_constraint,
        )  # fmt: skip

    def _length(self, steps):
        return transposed_length(
            steps, self.kernel_size, self.strides, self.padding, self.output_padding, self.dilation_rate
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        if input_shape[-1] is None:
            raise self.error("the channels axis of the input must be known")
        return (input_shape[0], self._length(input_shape[1]), self.filters)

    def build(self, input_shape: Shape) -> None:
        add_kernel(self, (self.kernel_size, self.filters, input_shape[-1]), (2, 1, 0))
        add_bias(self, self.filters)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        steps = x.shape[1]
        length = self._length(steps)
        whole = (steps - 1) * self.strides + (self.kernel_size - 1) * self.dilation_rate + 1  # torch's, unpadded
        start = max(whole - length, 0) // 2 if self.padding == "same" else 0  # TensorFlow's cut
        extra = max(start + length - whole, 0)  # past the end: bias only, as in TensorFlow
        out = F.conv_transpose1d(
            x.transpose(1, 2), self.kernel, self.bias, self.strides, 0, extra, 1, self.dilation_rate
        )
        return out[..., start : start + length].transpose(1, 2)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": (self.kernel_size,),
            "strides": (self.strides,),
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation_rate": (self.dilation_rate,),
            **weight_arguments_config(self),
        }
