"""Dense: the fully connected layer."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from cnnkit.common.checks import positive_int
from cnnkit.common.layout import Shape
from cnnkit.layers.arguments import add_bias, add_kernel, set_weight_arguments, weight_arguments_config
from cnnkit.layers.layer import Layer


class Dense(Layer):
    """A fully connected layer: `activation(x @ kernel + bias)` over the last (channels) axis.

    Input shape: (..., input_dim). Output shape: (..., units).
    Keras defaults: glorot_uniform kernel, zero bias. The kernel is stored as torch's (units,
    input_dim); `get_weights()` returns Keras's (input_dim, units).
    """

    supports_masking = True

    def __init__(
        self,
        units: int,
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
        positive_int(units, "units", self)
        self.units = units
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
        if len(input_shape) < 2:
            raise self.error(f"expected input of rank >= 2 (batch, features); received {input_shape}")
        return (*input_shape[:-1], self.units)

    def build(self, input_shape: Shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise self.error("the last axis of the input must be known to build the kernel")
        add_kernel(self, (input_dim, self.units), (1, 0))
        add_bias(self, self.units)

    def pre_activation(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 4:  # channels sit in dimension 1 of NCHW: apply over them in place
            return F.linear(x.movedim(1, -1), self.kernel, self.bias).movedim(-1, 1)
        return F.linear(x, self.kernel, self.bias)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.pre_activation(x))

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units, **weight_arguments_config(self)}
