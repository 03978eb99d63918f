"""GlobalMaxPooling2D."""

from __future__ import annotations

import torch

from cnnkit.layers.pooling.base_global_pooling import _GlobalPooling2D


class GlobalMaxPooling2D(_GlobalPooling2D):
    __doc__ = "The maximum over height and width. " + (_GlobalPooling2D.__doc__ or "")

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x.amax(dim=(2, 3), keepdim=self.keepdims)
