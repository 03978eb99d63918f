"""AveragePooling2D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling2D


class AveragePooling2D(_Pooling2D):
    __doc__ = "The mean of each window. " + (_Pooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        how, detail = self._plan(x.shape[-2], x.shape[-1])
        if how == "explicit":
            # Average over real pixels only: divide the zero-padded sums by each window's real count.
            summed = F.avg_pool2d(F.pad(x, detail), self.pool_size, self.strides)
            ones = torch.ones(1, 1, *x.shape[-2:], dtype=x.dtype, device=x.device)
            real_fraction = F.avg_pool2d(F.pad(ones, detail), self.pool_size, self.strides)
            return summed / real_fraction
        padding, ceil_mode = detail
        return F.avg_pool2d(x, self.pool_size, self.strides, padding, ceil_mode=ceil_mode, count_include_pad=False)
