"""What the convolution layers share: their window arguments and config, and BaseConv, the
convolution over any number of spatial axes that Conv1D and Conv2D are (Conv3D will be one more
subclass: a rank and the torch kernel call).

A kernel is created in Keras's layout (*kernel_size, channels / groups, filters) and stored in
torch's (filters, channels / groups, *kernel_size); `get_weights()` gives Keras's.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from cnnkit.common.layout import Shape, format_shape
from cnnkit.common.same_padding import axis_paddings, output_length
from cnnkit.layers.arguments import (
    add_bias,
    add_kernel,
    as_tuple,
    check_data_format,
    check_filters,
    check_positive_pair,
    set_weight_arguments,
    weight_arguments_config,
)
from cnnkit.layers.layer import Layer


def set_window_arguments(layer: Layer, kernel_size, strides, dilation_rate, data_format) -> str:
    """What the 2-D convolutions take alike: kernel_size, strides and dilation_rate as positive
    pairs (strides and dilation not both above 1, as in Keras) and a channels-last data_format.
    Returns the layer's name for messages, "Conv2D 'conv2d'"."""
    owner = f"{type(layer).__name__} '{layer.name}'"
    layer.kernel_size = check_positive_pair(kernel_size, "kernel_size", owner)
    layer.strides = check_positive_pair(strides, "strides", owner)
    layer.dilation_rate = check_positive_pair(dilation_rate, "dilation_rate", owner)
    _check_strides_and_dilation(layer)
    check_data_format(data_format, owner)
    return owner


def _check_strides_and_dilation(layer: Layer) -> None:
    if max(layer.strides) > 1 and max(layer.dilation_rate) > 1:
        raise layer.error(
            f"strides > 1 cannot be combined with dilation_rate > 1; received strides={layer.strides}, "
            f"dilation_rate={layer.dilation_rate}"
        )


def convolution_config(layer: Layer) -> dict:
    """The arguments the convolutions share, as their saved configs hold them."""
    return {
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "strides": layer.strides,
        "padding": layer.padding,
        "dilation_rate": layer.dilation_rate,
        "groups": layer.groups,
        **weight_arguments_config(layer),
    }


class BaseConv(Layer):
    """`activation(conv(x, kernel) + bias)` over `rank` spatial axes. A subclass sets `rank`, the
    paddings it takes, and `convolve(x)` (the torch kernel call, with whatever padding it needs)."""

    rank: int
    layout: str  # the input's axes, for messages: "(batch, steps, channels)"

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding="valid",
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
        self.filters = check_filters(self, filters)
        self.kernel_size = as_tuple(kernel_size, self.rank, "kernel_size", self)
        self.strides = as_tuple(strides, self.rank, "strides", self)
        self.dilation_rate = as_tuple(dilation_rate, self.rank, "dilation_rate", self)
        _check_strides_and_dilation(self)
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")
        self.padding = self.check_padding(padding)
        if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0 or filters % groups:
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

    def check_padding(self, padding):
        raise NotImplementedError

    def output_lengths(self, sizes: tuple) -> list:
        """Each spatial axis's output length (None where the input's is unknown)."""
        paddings = axis_paddings(self.padding) if self.rank == 2 else (self.padding,) * self.rank
        return [
            output_length(size, k, s, p, d)
            for size, k, s, p, d in zip(sizes, self.kernel_size, self.strides, paddings, self.dilation_rate)
        ]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.rank + 2, self.layout)
        channels = input_shape[-1]
        if channels is None:
            raise self.error("the channels axis of the input must be known")
        if channels % self.groups:
            raise self.error(f"input channels {channels} are not divisible by groups={self.groups}")
        sizes = self.output_lengths(tuple(input_shape[1:-1]))
        if any(size is not None and size <= 0 for size in sizes):
            raise self.error(
                f"input {format_shape(input_shape)} is too small for kernel_size={self.kernel_size} "
                f"with padding={self.padding!r}"
            )
        return (input_shape[0], *sizes, self.filters)

    def build(self, input_shape: Shape) -> None:
        kernel_shape = (*self.kernel_size, input_shape[-1] // self.groups, self.filters)
        add_kernel(self, kernel_shape, (self.rank + 1, self.rank, *range(self.rank)))
        add_bias(self, self.filters)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        return self.convolve(x)

    def convolve(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), **convolution_config(self)}
