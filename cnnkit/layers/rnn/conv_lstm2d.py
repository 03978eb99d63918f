"""ConvLSTM2D (Shi et al. 2015): an LSTM over a sequence of images whose gates are convolutions,
so each step's state keeps its height and width."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit import activations, constraints, initializers, regularizers
from cnnkit.common import keras_defaults
from cnnkit.common.layout import Shape, format_shape
from cnnkit.common.same_padding import output_length, same_pads
from cnnkit.layers.arguments import (
    as_tuple,
    check_data_format,
    check_filters,
    set_weight_arguments,
    weight_arguments_config,
)
from cnnkit.layers.layer import Layer

CLIP = "(batch, time, height, width, channels)"


class ConvLSTM2D(Layer):
    """Keras's ConvLSTM2D. Input (batch, time, height, width, channels); output the last step's
    state (batch, new_height, new_width, filters), or every step's with return_sequences=True.
    Per step, with * a convolution (the input's with this layer's strides and padding, the state's
    'same' with stride 1) and gates in Keras's order i, f, c, o:

        i, f, o = rec(x * W + h * U + b) (their parts), c = f c + i tanh(x * Wc + h * Uc + bc),
        h = activation(c) o

    Weights in Keras's layout: kernel (kh, kw, channels, 4 filters), recurrent_kernel (kh, kw,
    filters, 4 filters), bias (4 filters), the forget part starting at 1 (unit_forget_bias).
    recurrent_activation is sigmoid (Keras 2's hard_sigmoid under Keras 2's defaults)."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format=None,
        dilation_rate=1,
        activation: str | Callable = "tanh",
        recurrent_activation: str | Callable | None = None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed=None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_filters(self, filters)
        self.kernel_size = as_tuple(kernel_size, 2, "kernel_size", self)
        self.strides = as_tuple(strides, 2, "strides", self)
        self.dilation_rate = as_tuple(dilation_rate, 2, "dilation_rate", self)
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same"):
            raise self.error(f"padding must be 'valid' or 'same'; received padding={padding!r}")
        check_data_format(data_format, f"ConvLSTM2D '{self.name}'")
        for name, value in (("stateful", stateful), ("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if value:
                raise self.error(f"{name}={value!r} is not supported yet; leave it at its default")
        set_weight_arguments(
            self, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            kernel_constraint, bias_constraint,
        )  # fmt: skip
        self.recurrent_activation = activations.get(
            recurrent_activation or keras_defaults.pick("sigmoid", keras2="hard_sigmoid")
        )
        self.unit_forget_bias = bool(unit_forget_bias)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)

    # ---- shapes and weights ---------------------------------------------------------------------
    def compute_output_shape(self, input_shape: Shape):
        self.expect_rank(input_shape, 5, CLIP)
        if input_shape[-1] is None:
            raise self.error("the channels axis of the input must be known")
        paddings = zip(input_shape[2:4], self.kernel_size, self.strides, self.dilation_rate)
        height, width = (output_length(n, k, s, self.padding, d) for n, k, s, d in paddings)
        if any(size is not None and size <= 0 for size in (height, width)):
            raise self.error(f"input {format_shape(input_shape)} is too small for kernel_size={self.kernel_size}")
        state = (input_shape[0], height, width, self.filters)
        output = (input_shape[0], input_shape[1], height, width, self.filters) if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def build(self, input_shape: Shape) -> None:
        gates = 4 * self.filters
        self.add_weight(
            "kernel",
            (*self.kernel_size, input_shape[-1], gates),
            self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            torch_order=(3, 2, 0, 1),
        )
        self.add_weight(
            "recurrent_kernel",
            (*self.kernel_size, self.filters, gates),
            self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            torch_order=(3, 2, 0, 1),
        )
        if self.use_bias:
            self.add_weight(
                "bias",
                (gates,),
                self._bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None

    def _bias_initializer(self, shape, dtype=None):
        bias = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            bias = bias.clone()
            bias[self.filters : 2 * self.filters] = 1.0
        return bias

    # ---- running --------------------------------------------------------------------------------
    def _input_convolution(self, x: torch.Tensor) -> torch.Tensor:
        if self.padding == "same":
            (top, bottom), (left, right) = (
                same_pads(n, k, s, d)
                for n, k, s, d in zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)
            )
            x = F.pad(x, (left, right, top, bottom))
        return F.conv2d(x, self.kernel, self.bias, self.strides, 0, self.dilation_rate)

    def _recurrent_convolution(self, h: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = (same_pads(n, k, 1) for n, k in zip(h.shape[2:], self.kernel_size))
        return F.conv2d(F.pad(h, (left, right, top, bottom)), self.recurrent_kernel)

    def call(self, x: torch.Tensor):
        steps = x.shape[1]
        frames = x.permute(0, 1, 4, 2, 3)  # (batch, time, channels, height, width): each frame NCHW
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        h = c = None
        outputs = []
        for t in order:
            projected = self._input_convolution(frames[:, t])
            if h is None:
                h = projected.new_zeros((projected.shape[0], self.filters, *projected.shape[2:]))
                c = torch.zeros_like(h)
            z = projected + self._recurrent_convolution(h)
            i, f, g, o = torch.split(z, self.filters, dim=1)
            i, f, o = self.recurrent_activation(i), self.recurrent_activation(f), self.recurrent_activation(o)
            c = f * c + i * self.activation(g)
            h = o * self.activation(c)
            if self.return_sequences:
                outputs.append(h)
        # A rank-4 state is NCHW inside cnnkit, as images are; a sequence keeps (batch, time, h, w, f).
        output = torch.stack(outputs, dim=1).permute(0, 1, 3, 4, 2) if self.return_sequences else h
        return [output, h, c] if self.return_state else output

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "dilation_rate": self.dilation_rate,
            **weight_arguments_config(self),
            "recurrent_activation": activations.name_of(self.recurrent_activation),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "unit_forget_bias": self.unit_forget_bias,
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
        }
