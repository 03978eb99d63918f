"""Conv3D: the 3-D convolution over volumes or clips (batch, depth, height, width, channels)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.common.same_padding import volume_pads
from cnnkit.layers.arguments import VOLUME
from cnnkit.layers.convolutional.base_conv import BaseConv


class Conv3D(BaseConv):
    """3-D convolution: `activation(conv(x, kernel) + bias)` over depth, height and width.

    Input shape: (batch, depth, height, width, channels), the layout such tensors keep inside
    cnnkit too (only rank-4 images run channels-first), so each call turns it channels-first for
    torch's kernel and back. Padding 'valid' or 'same' (TensorFlow's: the odd pixel at the end).
    The kernel is stored as torch's (filters, channels / groups, kd, kh, kw); `get_weights()`
    gives Keras's (kd, kh, kw, in, filters).
    """

    rank = 3
    layout = VOLUME

    def check_padding(self, padding) -> str:
        mode = str(padding).lower()
        if mode not in ("valid", "same"):
            raise self.error(f"padding must be 'valid' or 'same'; received padding={padding!r}")
        return mode

    def convolve(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 4, 1, 2, 3)
        if self.padding == "same":
            x = F.pad(x, volume_pads(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate))
        out = F.conv3d(x, self.kernel, self.bias, self.strides, 0, self.dilation_rate, self.groups)
        return out.permute(0, 2, 3, 4, 1)
