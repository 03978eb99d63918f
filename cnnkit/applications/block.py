"""Block: a layer made of layers (conv + batch norm, a residual block, an inception module).

A block creates its sub-layers as attributes, so torch registers them and `state_dict` keys read
like the architecture (`layer1_0.conv1.kernel`). It builds them one after another for the shape
flowing through, exactly as Sequential does for its layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from cnnkit.common.layout import Shape
from cnnkit.initializers import VarianceScaling
from cnnkit.layers import BatchNormalization, Conv2D, ReLU
from cnnkit.layers.layer import Layer


def chain_shape(layers: Sequence[Layer], shape: Shape) -> Shape:
    """The output shape of `layers` applied one after another (pure arithmetic)."""
    for layer in layers:
        shape = layer.compute_output_shape(shape)
    return shape


def build_chain(layers: Sequence[Layer], shape: Shape) -> Shape:
    """Build `layers` one after another for `shape`; returns the final output shape."""
    for layer in layers:
        shape = layer.build_for(shape)
    return shape


def run_chain(layers: Sequence[Layer], x: torch.Tensor) -> torch.Tensor:
    for layer in layers:
        x = layer(x)
    return x


# He initialisation over fan-out from a normal distribution: torchvision's choice for ResNet's
# convolutions (kaiming_normal_, mode="fan_out"), which keeps deep residual stacks trainable.
HE_FAN_OUT = VarianceScaling(2.0, "fan_out", "untruncated_normal")

# torch's BatchNorm defaults (momentum 0.1, epsilon 1e-5), which the reference architectures use;
# Keras's momentum=0.9 is torch's 0.1.
TORCH_BN = {"momentum": 0.9, "epsilon": 1e-5}


class ConvBN(Layer):
    """Conv2D without bias, then BatchNormalization, then ReLU (unless `relu=False`).

    Input shape: (batch, height, width, channels). Output shape: (batch, new_height, new_width, filters).
    `padding` takes Keras's 'valid'/'same' or a pixel count; `epsilon` is batch norm's.
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding="same", epsilon=1e-5, relu=True, **kwargs):
        super().__init__(**kwargs)
        self.settings = {
            "filters": filters,
            "kernel_size": kernel_size,
            "strides": strides,
            "padding": padding,
            "epsilon": epsilon,
            "relu": relu,
        }
        self.conv = Conv2D(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            use_bias=False,
            kernel_initializer=HE_FAN_OUT,
            name="conv",
        )
        self.bn = BatchNormalization(momentum=TORCH_BN["momentum"], epsilon=epsilon, name="bn")
        self.relu = ReLU(name="relu") if relu else None

    def parts(self) -> list[Layer]:
        return [self.conv, self.bn] + ([self.relu] if self.relu is not None else [])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return chain_shape(self.parts(), input_shape)

    def build(self, input_shape: Shape) -> None:
        build_chain(self.parts(), input_shape)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return run_chain(self.parts(), x)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.settings}
