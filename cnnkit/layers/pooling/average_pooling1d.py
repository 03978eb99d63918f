"""AveragePooling1D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling1D


class AveragePooling1D(_Pooling1D):
    __doc__ = "The mean of each window of steps. " + (_Pooling1D.__doc__ or "")

    def pool(self, x: torch.Tensor, pads: tuple[int, int]) -> torch.Tensor:
        if not any(pads):
            return F.avg_pool1d(x, self.pool_size, self.strides)
        # Average over real steps only: the zero-padded sums over each window's real count.
        summed = F.avg_pool1d(F.pad(x, pads), self.pool_size, self.strides)
        ones = torch.ones(1, 1, x.shape[-1], dtype=x.dtype, device=x.device)
        return summed / F.avg_pool1d(F.pad(ones, pads), self.pool_size, self.strides)
