"""DepthwiseConv2D: one filter set per input channel."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape, format_shape
from cnnkit.common.same_padding import axis_paddings, check_padding, output_length, padding_plan
from cnnkit.layers.arguments import add_bias, set_activation
from cnnkit.layers.convolutional.base_conv import set_window_arguments
from cnnkit.layers.layer import Layer


class DepthwiseConv2D(Layer):
    """Each input channel convolved with its own `depth_multiplier` kernels.
    Input (batch, height, width, channels); output (batch, new_height, new_width, channels * depth_multiplier)."""

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding: str = "valid",
        depth_multiplier: int = 1,
        data_format: str | None = None,
        dilation_rate=(1, 1),
        activation: str | Callable | None = None,
        use_bias: bool = True,
        depthwise_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        owner = set_window_arguments(self, kernel_size, strides, dilation_rate, data_format)
        self.padding = check_padding(padding, owner)
        positive_int(depth_multiplier, "depth_multiplier", self)
        self.depth_multiplier = depth_multiplier
        set_activation(self, activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self._padding_plans: dict[tuple[int, int], tuple] = {}

    def output_channels(self, channels: int) -> int:
        return channels * self.depth_multiplier

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(batch, height, width, channels)")
        n, h, w, c = input_shape
        if c is None:
            raise self.error("the channels axis of the input must be known")
        paddings = axis_paddings(self.padding)
        sizes = [
            output_length(size, k, s, p, d)
            for size, k, s, p, d in zip((h, w), self.kernel_size, self.strides, paddings, self.dilation_rate)
        ]
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(f"input {format_shape(input_shape)} is too small for kernel_size={self.kernel_size}")
        return (n, *sizes, self.output_channels(c))

    def build(self, input_shape: Shape) -> None:
        self.channels = input_shape[-1]
        shape = (*self.kernel_size, self.channels, self.depth_multiplier)
        self.add_weight(
            "depthwise_kernel",
            shape,
            self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            torch_order=(2, 3, 0, 1),
        )
        self.build_rest()

    def build_rest(self) -> None:
        add_bias(self, self.channels * self.depth_multiplier)

    def depthwise(self, x: torch.Tensor, bias) -> torch.Tensor:
        padding, explicit = self._plan(x.shape[-2], x.shape[-1])
        if explicit is not None:
            x = F.pad(x, explicit)
        kernel = self.depthwise_kernel.reshape(-1, 1, *self.kernel_size)  # (channels * multiplier, 1, kh, kw)
        return F.conv2d(x, kernel, bias, self.strides, padding, self.dilation_rate, groups=self.channels)

    def _plan(self, height: int, width: int) -> tuple:
        plan = self._padding_plans.get((height, width))
        if plan is None:
            plan = padding_plan((height, width), self.kernel_size, self.strides, self.dilation_rate, self.padding)
            self._padding_plans[(height, width)] = plan
        return plan

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return self.depthwise(x, self.bias)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "dilation_rate": self.dilation_rate,
            "activation": self.activation_name,
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
