"""GlobalMaxPooling1D."""

from __future__ import annotations

import torch

from cnnkit.layers.pooling.base_global_pooling import _GlobalPooling1D


class GlobalMaxPooling1D(_GlobalPooling1D):
    __doc__ = "The maximum over the steps. " + (_GlobalPooling1D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=1, keepdim=self.keepdims)
