"""Conv2D with Keras's arguments and TensorFlow's 'same' padding."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.base import Layer, as_pair
from cnnkit.layers.core import set_weight_arguments, weight_arguments_config
from cnnkit.layers.same_padding import axis_paddings, check_padding, output_length, padding_plan


def check_data_format(data_format: str | None, owner: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(
            f"{owner}: cnnkit takes channels-last shapes at its API (tensors run NCHW inside); "
            f"received data_format={data_format!r}."
        )


def check_positive_pair(value, argument: str, owner: str) -> tuple[int, int]:
    pair = as_pair(value, argument, owner)
    if min(pair) <= 0:
        raise ValueError(f"{owner}: {argument} must be positive; received {argument}={value!r}.")
    return pair


def set_window_arguments(layer: Layer, kernel_size, strides, dilation_rate, data_format) -> str:
    """What the 2-D convolutions take alike: kernel_size, strides and dilation_rate as positive
    pairs (strides and dilation not both above 1, as in Keras) and a channels-last data_format.
    Returns the layer's name for messages, "Conv2D 'conv2d'"."""
    owner = f"{type(layer).__name__} '{layer.name}'"
    layer.kernel_size = check_positive_pair(kernel_size, "kernel_size", owner)
    layer.strides = check_positive_pair(strides, "strides", owner)
    layer.dilation_rate = check_positive_pair(dilation_rate, "dilation_rate", owner)
    if max(layer.strides) > 1 and max(layer.dilation_rate) > 1:
        raise layer.error(
            f"strides > 1 cannot be combined with dilation_rate > 1; received strides={layer.strides}, "
            f"dilation_rate={layer.dilation_rate}"
        )
    check_data_format(data_format, owner)
    return owner


def check_filters(layer: Layer, filters) -> int:
    if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
        raise layer.error(f"filters must be a positive int; received filters={filters!r}")
    return filters


def convolution_config(layer: Layer) -> dict:
    """The arguments Conv1D and Conv2D share, as their saved configs hold them."""
    return {
        "filters": layer.filters,
        "kernel_size": layer.kernel_size,
        "strides": layer.strides,
        "padding": layer.padding,
        "dilation_rate": layer.dilation_rate,
        "groups": layer.groups,
        **weight_arguments_config(layer),
    }


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
        self.add_weight("kernel", kernel_shape, self.kernel_initializer, torch_order=(3, 2, 0, 1))
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
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
