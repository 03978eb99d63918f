"""Convolution and pooling along time, for sequences (batch, steps, channels): Conv1D, Max/Average
Pooling1D and their global forms, as in Keras's text and signal classifiers (an Embedding, then
Conv1D + GlobalMaxPooling1D).

Sequences keep Keras's layout at run time too, (batch, steps, channels), as the recurrent layers
take them; each layer turns them to torch's (batch, channels, steps) only around its own kernel.
'same' padding is TensorFlow's (the odd step of padding at the end); Conv1D's 'causal' pads only
the start, so step t sees steps <= t.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.layout import Shape, format_shape
from cnnkit.layers.base import Layer
from cnnkit.layers.conv import check_data_format, convolution_config
from cnnkit.layers.core import set_weight_arguments
from cnnkit.layers.masking import get_mask
from cnnkit.layers.same_padding import output_length, same_pads

SEQUENCE = "(batch, steps, channels)"


def _positive_int(value, argument: str, layer: Layer) -> int:
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]  # Keras accepts (3,) for 3
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise layer.error(f"{argument} must be a positive int; received {argument}={value!r}")
    return value


def _padding(padding, layer: Layer, allowed: tuple[str, ...]) -> str:
    mode = str(padding).lower()
    if mode not in allowed:
        raise layer.error(f"padding must be one of {', '.join(allowed)}; received padding={padding!r}")
    return mode


def _time_pads(padding: str, steps: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    if padding == "same":
        return same_pads(steps, kernel, stride, dilation)
    if padding == "causal":
        return (kernel - 1) * dilation, 0
    return 0, 0


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
        self.filters = _positive_int(filters, "filters", self)
        self.kernel_size = _positive_int(kernel_size, "kernel_size", self)
        self.strides = _positive_int(strides, "strides", self)
        self.dilation_rate = _positive_int(dilation_rate, "dilation_rate", self)
        if self.strides > 1 and self.dilation_rate > 1:
            raise self.error(
                f"strides > 1 cannot be combined with dilation_rate > 1; received strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}"
            )
        self.padding = _padding(padding, self, ("valid", "same", "causal"))
        check_data_format(data_format, f"Conv1D '{self.name}'")
        self.groups = _positive_int(groups, "groups", self)
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
        self.add_weight("kernel", shape, self.kernel_initializer, torch_order=(2, 1, 0))
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        else:
            self.bias = None

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # (batch, channels, steps), torch's layout for its kernel
        before, after = _time_pads(self.padding, x.shape[-1], self.kernel_size, self.strides, self.dilation_rate)
        if before or after:
            x = F.pad(x, (before, after))
        y = F.conv1d(x, self.kernel, self.bias, self.strides, 0, self.dilation_rate, self.groups)
        return y.transpose(1, 2)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), **convolution_config(self)}


class _Pooling1D(Layer):
    """Input shape: (batch, steps, channels). Output shape: (batch, pooled steps, channels).
    `strides` defaults to `pool_size`. With 'same' padding, windows that overhang the end use only
    real steps (max ignores the padding, average divides by the real count), as in TensorFlow."""

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.pool_size = _positive_int(pool_size, "pool_size", self)
        self.strides = self.pool_size if strides is None else _positive_int(strides, "strides", self)
        self.padding = _padding(padding, self, ("valid", "same"))
        check_data_format(data_format, f"{type(self).__name__} '{self.name}'")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 3, SEQUENCE)
        n, steps, channels = input_shape
        length = output_length(steps, self.pool_size, self.strides, self.padding)
        if length is not None and length <= 0:
            raise self.error(f"input {format_shape(input_shape)} is too short for pool_size={self.pool_size}")
        return (n, length, channels)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)
        pads = _time_pads(self.padding, x.shape[-1], self.pool_size, self.strides)
        return self.pool(x, pads).transpose(1, 2)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides, "padding": self.padding}


class MaxPooling1D(_Pooling1D):
    __doc__ = "The largest value of each window of steps. " + (_Pooling1D.__doc__ or "")

    def pool(self, x: torch.Tensor, pads: tuple[int, int]) -> torch.Tensor:
        if any(pads):
            x = F.pad(x, pads, value=float("-inf"))
        return F.max_pool1d(x, self.pool_size, self.strides)


class AveragePooling1D(_Pooling1D):
    __doc__ = "The mean of each window of steps. " + (_Pooling1D.__doc__ or "")

    def pool(self, x: torch.Tensor, pads: tuple[int, int]) -> torch.Tensor:
        if not any(pads):
            return F.avg_pool1d(x, self.pool_size, self.strides)
        # Average over real steps only: the zero-padded sums over each window's real count.
        summed = F.avg_pool1d(F.pad(x, pads), self.pool_size, self.strides)
        ones = torch.ones(1, 1, x.shape[-1], dtype=x.dtype, device=x.device)
        return summed / F.avg_pool1d(F.pad(ones, pads), self.pool_size, self.strides)


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


class GlobalAveragePooling1D(_GlobalPooling1D):
    __doc__ = (
        "The mean over the steps; with a padding mask (Embedding(mask_zero=True), Masking), over the "
        "real steps only, as in Keras. " + (_GlobalPooling1D.__doc__ or "")
    )

    def call(self, x: torch.Tensor) -> torch.Tensor:
        mask = get_mask(x)
        if mask is None:
            return x.mean(dim=1, keepdim=self.keepdims)
        weights = mask.to(x.dtype)[..., None]  # (batch, steps, 1)
        total = (x * weights).sum(dim=1, keepdim=self.keepdims)
        return total / weights.sum(dim=1, keepdim=self.keepdims).clamp_min(1)


class GlobalMaxPooling1D(_GlobalPooling1D):
    __doc__ = "The maximum over the steps. " + (_GlobalPooling1D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=1, keepdim=self.keepdims)
