"""GlobalAveragePooling1D."""

from __future__ import annotations

import torch

from cnnkit.layers.core.masking import get_mask
from cnnkit.layers.pooling.base_global_pooling import _GlobalPooling1D


class GlobalAveragePooling1D(_GlobalPooling1D):
    __doc__ = (
        "The mean over the steps; with a padding mask (Embedding(mask_zero=True), Masking), over the "
        "real steps only, as in Keras. " + (_GlobalPooling1D.__doc__ or "")
    )

    def call(self, x: torch.Tensor) -> torch.Tensor:
        mask = get_mask(x)
        if mask is None:
            return x.mean(dim=1, keepdim=self.keepdims)
        weights = mask.to(x.dtype)[..., None]  # (batch, steps, 1)
        total = (x * weights).sum(dim=1, keepdim=self.keepdims)
        return total / weights.sum(dim=1, keepdim=self.keepdims).clamp_min(1)
