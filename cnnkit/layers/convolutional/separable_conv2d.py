"""SeparableConv2D: a depthwise convolution followed by a 1x1 convolution."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import constraints, initializers, regularizers
from cnnkit.layers.arguments import add_bias, check_filters
from cnnkit.layers.convolutional.depthwise_conv2d import DepthwiseConv2D


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution, then a 1x1 convolution to `filters` channels (with the bias).
    Input (batch, height, width, channels); output (batch, new_height, new_width, filters)."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=(1, 1),
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=(1, 1),
        depth_multiplier: int = 1,
        activation: str | Callable | None = None,
        use_bias: bool = True,
        depthwise_initializer: str | Callable = "glorot_uniform",
        pointwise_initializer: str | Callable = "glorot_uniform",
        bias_initializer: str | Callable = "zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ) -> None:
        super().__init__(
            kernel_size,
            strides,
            padding,
            depth_multiplier,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            bias_regularizer,
            depthwise_constraint,
            bias_constraint,
            **kwargs,
        )
        self.filters = check_filters(self, filters)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def output_channels(self, channels: int) -> int:
        return self.filters

    def build_rest(self) -> None:
        shape = (1, 1, self.channels * self.depth_multiplier, self.filters)
        self.add_weight(
            "pointwise_kernel",
            shape,
            self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            torch_order=(3, 2, 0, 1),
        )
        add_bias(self, self.filters)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(self.depthwise(x, None), self.pointwise_kernel, self.bias)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
        }
