"""Conv2D: the 2-D convolution, Keras's arguments on torch's conv2d."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.same_padding import check_padding, padding_plan
from cnnkit.layers.convolutional.base_conv import BaseConv


class Conv2D(BaseConv):
    """2-D convolution: `activation(conv(x, kernel) + bias)`.

    Input shape: (batch, height, width, channels). Output shape: (batch, new_height, new_width, filters).
    'same' padding is TensorFlow's: ceil(size / stride) outputs, with the odd pixel of padding
    at the bottom/right. An int (or pair) pads that many pixels on both sides, as torch does.
    Keras defaults: glorot_uniform kernel, zero bias. The kernel is stored as torch's
    (filters, channels / groups, kh, kw); `get_weights()` gives Keras's (kh, kw, in, filters).
    """

    rank = 2
    layout = "(batch, height, width, channels)"

    def check_padding(self, padding):
        return check_padding(padding, f"{type(self).__name__} '{self.name}'")

    def build(self, input_shape) -> None:
        super().build(input_shape)
        self._padding_plans: dict[tuple[int, int], tuple] = {}  # (height, width) -> padding_plan's answer

    def convolve(self, x: torch.Tensor) -> torch.Tensor:
        size = (x.shape[-2], x.shape[-1])
        plan = self._padding_plans.get(size)
        if plan is None:
            plan = self._padding_plans[size] = padding_plan(
                size, self.kernel_size, self.strides, self.dilation_rate, self.padding
            )
        padding, explicit = plan
        if explicit is not None:
            x = F.pad(x, explicit)
        return F.conv2d(x, self.kernel, self.bias, self.strides, padding, self.dilation_rate, self.groups)
