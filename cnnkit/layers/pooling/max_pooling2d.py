"""MaxPooling2D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling2D


class MaxPooling2D(_Pooling2D):
    __doc__ = "The largest value of each window. " + (_Pooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        how, detail = self._plan(x.shape[-2], x.shape[-1])
        if how == "explicit":
            return F.max_pool2d(F.pad(x, detail, value=float("-inf")), self.pool_size, self.strides)
        padding, ceil_mode = detail
        return F.max_pool2d(x, self.pool_size, self.strides, padding, ceil_mode=ceil_mode)
