"""MaxPooling1D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling1D


class MaxPooling1D(_Pooling1D):
    __doc__ = "The largest value of each window of steps. " + (_Pooling1D.__doc__ or "")

    def pool(self, x: torch.Tensor, pads: tuple[int, int]) -> torch.Tensor:
        if any(pads):
            x = F.pad(x, pads, value=float("-inf"))
        return F.max_pool1d(x, self.pool_size, self.strides)
