"""AveragePooling3D."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling3D


class AveragePooling3D(_Pooling3D):
    __doc__ = "The mean of each window. " + (_Pooling3D.__doc__ or "")

    def pool(self, x, pads):
        if not any(pads):
            return F.avg_pool3d(x, self.pool_size, self.strides)
        sums = F.avg_pool3d(F.pad(x, pads), self.pool_size, self.strides, divisor_override=1)
        counts = F.avg_pool3d(F.pad(torch.ones_like(x[:1, :1]), pads), self.pool_size, self.strides, divisor_override=1)
        return sums / counts
