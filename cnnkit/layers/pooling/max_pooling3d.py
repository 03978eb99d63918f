"""MaxPooling3D."""

from __future__ import annotations

import torch.nn.functional as F

from cnnkit.layers.pooling.base_pooling import _Pooling3D


class MaxPooling3D(_Pooling3D):
    __doc__ = "The largest value of each window. " + (_Pooling3D.__doc__ or "")

    def pool(self, x, pads):
        if any(pads):
            x = F.pad(x, pads, value=float("-inf"))
        return F.max_pool3d(x, self.pool_size, self.strides)
