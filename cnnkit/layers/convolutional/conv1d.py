"""Conv1D: the 1-D convolution over sequences (batch, steps, channels), with causal padding."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import (
    Shape,
    format_shape,
)
from cnnkit.layers.arguments import (
    SEQUENCE,
    check_data_format,
    one_positive_int,
    sequence_padding,
    set_weight_arguments,
)
from cnnkit.layers.convolutional.base_conv import convolution_config
from cnnkit.layers.layer import Layer
from cnnkit.layers.same_padding import output_length, time_pads


class Conv1D(Layer):
    """1-D convolution over the steps: `activation(conv(x, kernel) + bias)`.

    Input shape: (batch, steps, channels). Output shape: (batch, new_steps, filters). Padding
    'valid', 'same' or 'causal'. Keras defaults: glorot_uniform kernel, zero bias. The kernel is
    stored as torch's (filters, channels / groups, k); `get_weights()` gives Keras's (k, in, filters).
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        groups: int = 1,
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
        self.filters = one_positive_int(filters, "filters", self)
        self.kernel_size = one_positive_int(kernel_size, "kernel_size", self)
        self.strides = one_positive_int(strides, "strides", self)
        self.dilation_rate = one_positive_int(dilation_rate, "dilation_rate", self)
        if self.strides > 1 and self.dilation_rate > 1:
            raise self.error(
                f"strides > 1 cannot be combined with dilation_rate > 1; received strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}"
            )
        self.padding = sequence_padding(padding, self, ("valid", "same", "causal"))
        check_data_format(data_format, f"Conv1D '{self.name}'")
        self.groups = one_positive_int(groups, "groups", self)
        if self.filters % self.groups:
            raise self.error(f"groups must divide filters={self.filters}; received groups={groups!r}")
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

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, channels = input_shape
        if channels is None:
            raise self.error("the channels axis of the input must be known")
        if channels % self.groups:
            raise self.error(f"input channels {channels} are not divisible by groups={self.groups}")
        if self.padding == "causal":  # the start padded by (kernel - 1) * dilation, then 'valid'
            length = None if steps is None else (steps - 1) // self.strides + 1
        else:
            length = output_length(steps, self.kernel_size, self.strides, self.padding, self.dilation_rate)
        if length is not None and length <= 0:
            raise self.error(
                f"input {format_shape(input_shape)} is too short for kernel_size={self.kernel_size} "
                f"with padding={self.padding!r}"
            )
        return (n, length, self.filters)

    def build(self, input_shape: Shape) -> None:
        shape = (self.kernel_size, input_shape[-1] // self.groups, self.filters)
        self.add_weight(
            "kernel",
            shape,
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            torch_order=(2, 1, 0),
        )
        if self.use_bias:
            self.add_weight(
                "bias",
                (self.filters,),
                self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # (batch, channels, steps), torch's layout for its kernel
        before, after = time_pads(self.padding, x.shape[-1], self.kernel_size, self.strides, self.dilation_rate)
        if before or after:
            x = F.pad(x, (before, after))
        y = F.conv1d(x, self.kernel, self.bias, self.strides, 0, self.dilation_rate, self.groups)
        return y.transpose(1, 2)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), **convolution_config(self)}
