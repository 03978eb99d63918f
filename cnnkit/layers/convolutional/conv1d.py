"""Conv1D: the 1-D convolution over sequences (batch, steps, channels), with causal padding."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.same_padding import time_pads
from cnnkit.layers.arguments import SEQUENCE, sequence_padding
from cnnkit.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1-D convolution over the steps: `activation(conv(x, kernel) + bias)`.

    Input shape: (batch, steps, channels). Output shape: (batch, new_steps, filters). Padding
    'valid', 'same' or 'causal' (the start padded by (kernel - 1) * dilation, so no output sees a
    later step). Keras defaults: glorot_uniform kernel, zero bias. The kernel is stored as torch's
    (filters, channels / groups, k); `get_weights()` gives Keras's (k, in, filters).
    """

    rank = 1
    layout = SEQUENCE

    def check_padding(self, padding) -> str:
        return sequence_padding(padding, self, ("valid", "same", "causal"))

    def output_lengths(self, sizes: tuple) -> list:
        if self.padding == "causal":  # 'valid' after the causal padding
            return [None if sizes[0] is None else (sizes[0] - 1) // self.strides[0] + 1]
        return super().output_lengths(sizes)

    def convolve(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # sequences run (batch, steps, channels); torch's kernel takes channels first
        (kernel,), (stride,), (dilation,) = self.kernel_size, self.strides, self.dilation_rate
        before, after = time_pads(self.padding, x.shape[-1], kernel, stride, dilation)
        if before or after:
            x = F.pad(x, (before, after))
        return F.conv1d(x, self.kernel, self.bias, stride, 0, dilation, self.groups).transpose(1, 2)
