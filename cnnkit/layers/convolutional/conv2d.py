"""Conv2D: the 2-D convolution, Keras's arguments on torch's conv2d."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import (
    Shape,
    format_shape,
)
from cnnkit.layers.arguments import check_filters, set_weight_arguments
from cnnkit.layers.convolutional.base_conv import convolution_config, set_window_arguments
from cnnkit.layers.layer import Layer
from cnnkit.layers.same_padding import axis_paddings, check_padding, output_length, padding_plan


class Conv2D(Layer):
    """2-D convolution: `activation(conv(x, kernel) + bias)`.

    Input shape: (batch, height, width, channels). Output shape: (batch, new_height, new_width, filters).
    'same' padding is TensorFlow's: ceil(size / stride) outputs, with the odd pixel of padding
    at the bottom/right. An int (or pair) pads that many pixels on both sides, as torch does.
    Keras defaults: glorot_uniform kernel, zero bias. The kernel is stored as torch's
    (filters, channels / groups, kh, kw); `get_weights()` gives Keras's (kh, kw, in, filters).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = (1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | tuple[int, int] = (1, 1),
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
        self.filters = check_filters(self, filters)
        owner = set_window_arguments(self, kernel_size, strides, dilation_rate, data_format)
        self.padding = check_padding(padding, owner)
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise self.error(f"groups must be a positive int dividing filters={filters}; received groups={groups!r}")
        self.groups = groups
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
        # (height, width) -> (torch padding argument, explicit F.pad amounts or None)
        self._padding_plans: dict[tuple[int, int], tuple[tuple[int, int], tuple | None]] = {}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        if c is None:
            raise self.error("the channels axis of the input must be known")
        if c % self.groups:
            raise self.error(f"input channels {c} are not divisible by groups={self.groups}")
        sizes = [
            output_length(size, k, s, p, d)
            for size, k, s, p, d in zip(
                (h, w), self.kernel_size, self.strides, axis_paddings(self.padding), self.dilation_rate
            )
        ]
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(
                f"input {format_shape(input_shape)} is too small for kernel_size={self.kernel_size} "
                f"with padding={self.padding!r}"
            )
        return (n, *sizes, self.filters)

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        kernel_shape = (*self.kernel_size, channels // self.groups, self.filters)
        self.add_weight(
            "kernel",
            kernel_shape,
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            torch_order=(3, 2, 0, 1),
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

    def _padding_plan(self, height: int, width: int) -> tuple[tuple[int, int], tuple | None]:
        plan = self._padding_plans.get((height, width))
        if plan is None:
            plan = padding_plan((height, width), self.kernel_size, self.strides, self.dilation_rate, self.padding)
            self._padding_plans[(height, width)] = plan
        return plan

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        padding, explicit = self._padding_plan(x.shape[-2], x.shape[-1])
        if explicit is not None:
            x = F.pad(x, explicit)
        return F.conv2d(x, self.kernel, self.bias, self.strides, padding, self.dilation_rate, self.groups)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), **convolution_config(self)}
