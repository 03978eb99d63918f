"""GlobalAveragePooling2D."""

from __future__ import annotations

import torch

from cnnkit.layers.pooling.base_global_pooling import _GlobalPooling2D


class GlobalAveragePooling2D(_GlobalPooling2D):
    __doc__ = "The mean over height and width. " + (_GlobalPooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=(2, 3), keepdim=self.keepdims)
